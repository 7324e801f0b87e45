import Foundation
import Testing
@testable import TemperIntegrity

/// Signatures that must be refused: another key, an edited payload, an inconsistent
/// payload signed by the right key, unsupported serializations.
@Suite struct SignatureAttackTests {
    static let fixtureKey = Fx.signed.appendingPathComponent("key.pub.pem").path

    func writeBundle(_ bundle: SigstoreBundle, in dir: URL) throws -> String {
        let path = dir.appendingPathComponent("bundle.sig").path
        try Data(bundle.bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func fixtureBundle() throws -> SigstoreBundle {
        try SigstoreBundle.parse(Array(try Data(contentsOf: Fx.model.appendingPathComponent("model.sig"))), path: "model.sig")
    }

    func verify(_ signature: String, key: String) throws -> VerificationReport {
        try ModelVerifier.verify(folder: Fx.model.path, key: try ECPublicKey.load(path: key), options: VerifyOptions(signaturePath: signature))
    }

    @Test func anotherKeyIsRefused() throws {
        let dir = try Fx.scratch("attack")
        defer { Fx.remove(dir) }
        let other = Fx.signed.appendingPathComponent("other.pub.pem").path
        let sig = Fx.model.appendingPathComponent("model.sig").path
        #expect(throws: IntegrityError.self) { try verify(sig, key: other) }
        do { _ = try verify(sig, key: other) } catch let error as IntegrityError {
            guard case .keyMismatch = error else { Issue.record("expected keyMismatch, got \(error)"); return }
        }
        // Without the hint the signature itself must fail.
        var bundle = try fixtureBundle()
        bundle.keyHint = nil
        let path = try writeBundle(bundle, in: dir)
        #expect(throws: IntegrityError.signatureInvalid(path: path)) { try verify(path, key: other) }
        let report = try verify(path, key: Self.fixtureKey)  // the right key still works without a hint
        #expect(report.ok && !report.keyHintChecked)
    }

    @Test func editedPayloadIsRefused() throws {
        let dir = try Fx.scratch("attack")
        defer { Fx.remove(dir) }
        var bundle = try fixtureBundle()
        let text = String(decoding: bundle.payload, as: UTF8.self)
        guard let digest = try InTotoStatement.parse(bundle.payload, path: "p").resources.first?.digest.hex else {
            Issue.record("fixture has no resources"); return
        }
        bundle.payload = Array(text.replacingOccurrences(of: digest, with: String(repeating: "0", count: 64)).utf8)
        let path = try writeBundle(bundle, in: dir)
        #expect(throws: IntegrityError.signatureInvalid(path: path)) { try verify(path, key: Self.fixtureKey) }
        var flipped = try fixtureBundle()
        flipped.signature[flipped.signature.count / 2] ^= 0x10
        let path2 = try writeBundle(flipped, in: dir)
        #expect(throws: IntegrityError.signatureInvalid(path: path2)) { try verify(path2, key: Self.fixtureKey) }
    }

    /// A payload signed by the right key whose subject digest does not match its resources.
    @Test func inconsistentPayloadIsRefused() throws {
        let dir = try Fx.scratch("attack")
        defer { Fx.remove(dir) }
        let key = try ECPrivateKey.generate()
        let keyPath = dir.appendingPathComponent("k.pub.pem")
        try key.publicKey().write(to: keyPath)
        var statement = try InTotoStatement.parse(try fixtureBundle().payload, path: "p")
        statement.subjectDigest = SHA256Digest.of([1])
        let payload = statement.bytes
        let signed = SigstoreBundle(keyHint: try key.publicKey().hint(), payload: payload,
                                    signature: try key.sign(DSSE.pae(payloadType: InTotoStatement.payloadType, payload: payload)))
        let path = try writeBundle(signed, in: dir)
        #expect(throws: IntegrityError.subjectDigestMismatch(path: path, expected: SHA256Digest.of([1]).hex,
                                                             computed: InTotoStatement.rootDigest(statement.resources).hex)) {
            try verify(path, key: keyPath.path)
        }
    }

    @Test func unsupportedSerializationsAreNamed() throws {
        let dir = try Fx.scratch("attack")
        defer { Fx.remove(dir) }
        let key = try ECPrivateKey.generate()
        let keyPath = dir.appendingPathComponent("k.pub.pem")
        try key.publicKey().write(to: keyPath)
        let original = String(decoding: try fixtureBundle().payload, as: UTF8.self)
        for (from, to) in [("\"method\": \"files\"", "\"method\": \"shards\""), ("\"hash_type\": \"sha256\"", "\"hash_type\": \"blake3\""),
                           ("signature/v1.0", "Digests/v0.1")] {
            let payload = Array(original.replacingOccurrences(of: from, with: to).utf8)
            let bundle = SigstoreBundle(keyHint: nil, payload: payload,
                                        signature: try key.sign(DSSE.pae(payloadType: InTotoStatement.payloadType, payload: payload)))
            let path = try writeBundle(bundle, in: dir)
            do {
                _ = try verify(path, key: keyPath.path)
                Issue.record("accepted \(to)")
            } catch let IntegrityError.unsupportedSerialization(p, _) {
                #expect(p == path)
            }
        }
    }
}
