import Foundation
import Testing
@testable import TemperIntegrity

@Suite struct ECKeysTests {
    @Test(arguments: ECCurve.allCases)
    func generateWriteLoadSignVerify(curve: ECCurve) throws {
        let dir = try Fx.scratch("keys")
        defer { Fx.remove(dir) }
        let key = try ECPrivateKey.generate(curve: curve)
        let privateURL = dir.appendingPathComponent("key.pem"), publicURL = dir.appendingPathComponent("key.pub.pem")
        try key.write(to: privateURL)
        try key.publicKey().write(to: publicURL)
        let mode = try FileManager.default.attributesOfItem(atPath: privateURL.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(String(decoding: try Data(contentsOf: privateURL), as: UTF8.self).hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        #expect(String(decoding: try Data(contentsOf: publicURL), as: UTF8.self).hasPrefix("-----BEGIN PUBLIC KEY-----\n"))

        let loaded = try ECPrivateKey.load(path: privateURL.path)
        let pub = try ECPublicKey.load(path: publicURL.path)
        #expect(loaded.curve == curve && pub.curve == curve)
        let message = Array("DSSEv1 payload".utf8)
        let signature = try loaded.sign(message)
        #expect(signature.first == 0x30)  // DER SEQUENCE
        #expect(try pub.verify(signature: signature, message: message))
        #expect(try !pub.verify(signature: signature, message: message + [0]))
        var flipped = signature; flipped[flipped.count - 1] ^= 1
        #expect(try !pub.verify(signature: flipped, message: message))
        #expect(try !pub.verify(signature: [], message: message))
        #expect(try pub.hint() == key.publicKey().hint())
    }

    @Test func hintMatchesPythonCryptographyEncoding() throws {
        // model_signing wrote these hints from cryptography's PEM of each public key.
        for (pub, sig) in [("key.pub.pem", "model/model.sig"), ("key-p384.pub.pem", "model.p384.sig"), ("key-p521.pub.pem", "model.p521.sig")] {
            let key = try ECPublicKey.load(path: Fx.signed.appendingPathComponent(pub).path)
            let bundle = try SigstoreBundle.parse(Array(try Data(contentsOf: Fx.signed.appendingPathComponent(sig))), path: sig)
            #expect(try key.hint() == bundle.keyHint)
            #expect(try key.spkiPEM() == Array(try Data(contentsOf: Fx.signed.appendingPathComponent(pub))))
        }
    }

    @Test func wrongKeyTypesAreTypedErrors() throws {
        let k = { (name: String) in Fx.keys.appendingPathComponent(name).path }
        #expect(throws: IntegrityError.wrongKeyType(path: k("rsa.pem"), found: "RSA key (expected an elliptic-curve key)")) { try ECPrivateKey.load(path: k("rsa.pem")) }
        #expect(throws: IntegrityError.wrongKeyType(path: k("rsa.pub.pem"), found: "RSA key (expected an elliptic-curve key)")) { try ECPublicKey.load(path: k("rsa.pub.pem")) }
        #expect(throws: IntegrityError.wrongKeyType(path: k("ed25519.pem"), found: "ED25519 key (expected an elliptic-curve key)")) { try ECPrivateKey.load(path: k("ed25519.pem")) }
        #expect(throws: IntegrityError.wrongKeyType(path: k("ed25519.pub.pem"), found: "ED25519 key (expected an elliptic-curve key)")) { try ECPublicKey.load(path: k("ed25519.pub.pem")) }
        #expect(throws: IntegrityError.unsupportedCurve(path: k("secp256k1.pem"), curve: "secp256k1")) { try ECPrivateKey.load(path: k("secp256k1.pem")) }
        #expect(throws: IntegrityError.unsupportedCurve(path: k("secp256k1.pub.pem"), curve: "secp256k1")) { try ECPublicKey.load(path: k("secp256k1.pub.pem")) }
        #expect(throws: IntegrityError.encryptedKey(path: k("encrypted-p256.pem"))) { try ECPrivateKey.load(path: k("encrypted-p256.pem")) }
        #expect(throws: IntegrityError.keyUnreadable(path: k("not-a-key.pem"), reason: "not a PEM private key")) { try ECPrivateKey.load(path: k("not-a-key.pem")) }
        #expect(throws: IntegrityError.wrongKeyType(path: k("rsa.pub.pem"), found: "a public key where a private key is needed")) {
            try ECPrivateKey.load(path: k("rsa.pub.pem"))
        }
        #expect(throws: IntegrityError.wrongKeyType(path: k("traditional-p256.pem"), found: "a private key where the public key is needed")) {
            try ECPublicKey.load(path: k("traditional-p256.pem"))
        }
        #expect(throws: IntegrityError.notFound(path: k("missing.pem"))) { try ECPrivateKey.load(path: k("missing.pem")) }
    }

    @Test func traditionalECPrivateKeyLoads() throws {
        let key = try ECPrivateKey.load(path: Fx.keys.appendingPathComponent("traditional-p256.pem").path)
        let pub = try ECPublicKey.load(path: Fx.keys.appendingPathComponent("traditional-p256.pub.pem").path)
        #expect(try pub.verify(signature: key.sign([1, 2, 3]), message: [1, 2, 3]))
    }
}
