import CCrypto
import Foundation
import TemperFormats
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The curves model_signing accepts, each paired with the SHA-2 it signs with.
public enum ECCurve: String, CaseIterable, Sendable, Codable {
    case p256, p384, p521

    /// OpenSSL's group name.
    var groupName: String {
        switch self {
        case .p256: return "prime256v1"
        case .p384: return "secp384r1"
        case .p521: return "secp521r1"
        }
    }

    /// Digest used for ECDSA (model_signing `get_ec_key_hash`: by key size).
    var digestName: String {
        switch self {
        case .p256: return "SHA256"
        case .p384: return "SHA384"
        case .p521: return "SHA512"
        }
    }

    init?(groupName: String) {
        switch groupName {
        case "prime256v1", "P-256", "secp256r1": self = .p256
        case "secp384r1", "P-384": self = .p384
        case "secp521r1", "P-521": self = .p521
        default: return nil
        }
    }
}

/// An EC private key held by libcrypto. EVP_PKEY is safe to share for signing.
public final class ECPrivateKey: @unchecked Sendable {
    let pkey: OpaquePointer
    public let curve: ECCurve

    init(pkey: OpaquePointer, curve: ECCurve) { self.pkey = pkey; self.curve = curve }
    deinit { EVP_PKEY_free(pkey) }

    /// A fresh key from the system's random source.
    public static func generate(curve: ECCurve = .p256) throws -> ECPrivateKey {
        guard let ctx = EVP_PKEY_CTX_new_from_name(nil, "EC", nil) else { throw OpenSSL.error("key generation") }
        defer { EVP_PKEY_CTX_free(ctx) }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen_init(ctx) == 1, EVP_PKEY_CTX_set_group_name(ctx, curve.groupName) == 1,
              EVP_PKEY_generate(ctx, &key) == 1, let key else { throw OpenSSL.error("key generation") }
        return ECPrivateKey(pkey: key, curve: curve)
    }

    /// Reads a PEM private key (PKCS#8 or traditional "EC PRIVATE KEY"); other key types,
    /// public keys and encrypted keys are typed errors naming the file.
    public static func load(path: String) throws -> ECPrivateKey {
        let pem = try KeyFile.read(path)
        let text = String(decoding: pem, as: UTF8.self)
        if text.contains("ENCRYPTED") { throw IntegrityError.encryptedKey(path: path) }
        let key = try KeyFile.withBIO(pem, path: path) { bio in PEM_read_bio_PrivateKey(bio, nil, KeyFile.noPassword, nil) }
        guard let key else {
            ERR_clear_error()
            if text.contains("BEGIN PUBLIC KEY") { throw IntegrityError.wrongKeyType(path: path, found: "a public key where a private key is needed") }
            throw IntegrityError.keyUnreadable(path: path, reason: "not a PEM private key")
        }
        return ECPrivateKey(pkey: key, curve: try KeyFile.checkCurve(key, path: path))
    }

    /// PKCS#8 "BEGIN PRIVATE KEY" PEM, unencrypted.
    public func pkcs8PEM() throws -> [UInt8] {
        try KeyFile.pem("private key export") { PEM_write_bio_PKCS8PrivateKey($0, pkey, nil, nil, 0, nil, nil) }
    }

    public func publicKey() throws -> ECPublicKey {
        let pem = try KeyFile.pem("public key export") { PEM_write_bio_PUBKEY($0, pkey) }
        let key = try KeyFile.withBIO(pem, path: "<derived public key>") { PEM_read_bio_PUBKEY($0, nil, nil, nil) }
        guard let key else { throw OpenSSL.error("public key export") }
        return ECPublicKey(pkey: key, curve: curve)
    }

    /// Writes the private key as PKCS#8 PEM, mode 0600, atomically.
    public func write(to url: URL) throws {
        let bytes = try pkcs8PEM()
        let file = try AtomicFile(url: url)
        do {
            guard chmod(file.tempURL.path, 0o600) == 0 else {
                throw IntegrityError.io(path: url.path, reason: "cannot restrict permissions: \(String(cString: strerror(errno)))")
            }
            try file.write(bytes)
            try file.commit()
        } catch { file.abandon(); throw error }
    }

    /// DER-encoded ECDSA signature over `message`, hashed with the curve's SHA-2.
    public func sign(_ message: [UInt8]) throws -> [UInt8] {
        guard let md = EVP_MD_fetch(nil, curve.digestName, nil), let ctx = EVP_MD_CTX_new() else { throw OpenSSL.error("signing") }
        defer { EVP_MD_CTX_free(ctx); EVP_MD_free(md) }
        guard EVP_DigestSignInit(ctx, nil, md, nil, pkey) == 1 else { throw OpenSSL.error("signing") }
        var length = 0
        guard message.withUnsafeBufferPointer({ EVP_DigestSign(ctx, nil, &length, $0.baseAddress, $0.count) }) == 1 else {
            throw OpenSSL.error("signing")
        }
        var signature = [UInt8](repeating: 0, count: length)
        let ok = signature.withUnsafeMutableBufferPointer { sig in
            message.withUnsafeBufferPointer { EVP_DigestSign(ctx, sig.baseAddress, &length, $0.baseAddress, $0.count) }
        }
        guard ok == 1 else { throw OpenSSL.error("signing") }
        return Array(signature.prefix(length))
    }
}

/// An EC public key (SubjectPublicKeyInfo).
public final class ECPublicKey: @unchecked Sendable {
    let pkey: OpaquePointer
    public let curve: ECCurve

    init(pkey: OpaquePointer, curve: ECCurve) { self.pkey = pkey; self.curve = curve }
    deinit { EVP_PKEY_free(pkey) }

    /// Reads a "BEGIN PUBLIC KEY" PEM; private keys and non-EC keys are typed errors.
    public static func load(path: String) throws -> ECPublicKey {
        let pem = try KeyFile.read(path)
        let text = String(decoding: pem, as: UTF8.self)
        let key = try KeyFile.withBIO(pem, path: path) { PEM_read_bio_PUBKEY($0, nil, KeyFile.noPassword, nil) }
        guard let key else {
            ERR_clear_error()
            if text.contains("PRIVATE KEY") { throw IntegrityError.wrongKeyType(path: path, found: "a private key where the public key is needed") }
            throw IntegrityError.keyUnreadable(path: path, reason: "not a PEM public key")
        }
        return ECPublicKey(pkey: key, curve: try KeyFile.checkCurve(key, path: path))
    }

    /// SubjectPublicKeyInfo PEM with an uncompressed point and a named curve, byte for byte
    /// what Python `cryptography` writes (model_signing hashes these bytes for the key hint).
    public func spkiPEM() throws -> [UInt8] {
        _ = EVP_PKEY_set_utf8_string_param(pkey, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, "uncompressed")
        _ = EVP_PKEY_set_utf8_string_param(pkey, OSSL_PKEY_PARAM_EC_ENCODING, "named_curve")
        return try KeyFile.pem("public key export") { PEM_write_bio_PUBKEY($0, pkey) }
    }

    /// model_signing's `publicKey.hint`: SHA-256 (hex) of `spkiPEM()`.
    public func hint() throws -> String { SHA256Digest.of(try spkiPEM()).hex }

    /// Writes the SubjectPublicKeyInfo PEM atomically.
    public func write(to url: URL) throws {
        try AtomicFile.write(Data(try spkiPEM()), to: url)
    }

    /// Whether `signature` (DER ECDSA) is valid for `message` under this key.
    public func verify(signature: [UInt8], message: [UInt8]) throws -> Bool {
        guard let md = EVP_MD_fetch(nil, curve.digestName, nil), let ctx = EVP_MD_CTX_new() else { throw OpenSSL.error("verification") }
        defer { EVP_MD_CTX_free(ctx); EVP_MD_free(md); ERR_clear_error() }
        guard EVP_DigestVerifyInit(ctx, nil, md, nil, pkey) == 1 else { throw OpenSSL.error("verification") }
        let result = signature.withUnsafeBufferPointer { sig in
            message.withUnsafeBufferPointer { EVP_DigestVerify(ctx, sig.baseAddress, sig.count, $0.baseAddress, $0.count) }
        }
        return result == 1
    }
}
