import CCrypto
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// PEM plumbing shared by the key types: reading a key file with a size limit, memory BIOs,
/// and the key-type and curve checks.
enum KeyFile {
    /// PEM keys are a few hundred bytes; anything this large is not a key.
    static let maxSize = 1 << 20

    /// Refuses to prompt for a passphrase on the terminal (libcrypto's default).
    static let noPassword: @convention(c) (UnsafeMutablePointer<CChar>?, Int32, Int32, UnsafeMutableRawPointer?) -> Int32 = { _, _, _, _ in 0 }

    static func read(_ path: String) throws -> [UInt8] {
        var info = stat()
        guard stat(path, &info) == 0 else { throw IntegrityError.notFound(path: path) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw IntegrityError.keyUnreadable(path: path, reason: "not a regular file") }
        guard info.st_size <= maxSize else { throw IntegrityError.keyUnreadable(path: path, reason: "file larger than \(maxSize) bytes") }
        do { return Array(try Data(contentsOf: URL(fileURLWithPath: path))) } catch {
            throw IntegrityError.keyUnreadable(path: path, reason: error.localizedDescription)
        }
    }

    static func withBIO<T>(_ bytes: [UInt8], path: String, _ body: (OpaquePointer) -> T) throws -> T {
        let result: T? = bytes.withUnsafeBytes { raw -> T? in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { return nil }
            defer { BIO_free(bio) }
            return body(bio)
        }
        guard let result else { throw IntegrityError.keyUnreadable(path: path, reason: "cannot allocate a memory BIO") }
        return result
    }

    /// Runs a PEM writer against a memory BIO and returns the bytes written.
    static func pem(_ operation: String, _ write: (OpaquePointer) -> Int32) throws -> [UInt8] {
        guard let bio = BIO_new(BIO_s_mem()) else { throw OpenSSL.error(operation) }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else { throw OpenSSL.error(operation) }
        var pointer: UnsafeMutablePointer<CChar>?
        let length = BIO_ctrl(bio, BIO_CTRL_INFO, 0, &pointer)
        guard length > 0, let pointer else { throw OpenSSL.error(operation) }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
    }

    /// The key must be EC on one of the three supported curves.
    static func checkCurve(_ key: OpaquePointer, path: String) throws -> ECCurve {
        let type = EVP_PKEY_get0_type_name(key).map { String(cString: $0) } ?? "unknown"
        guard type == "EC" else {
            EVP_PKEY_free(key)
            throw IntegrityError.wrongKeyType(path: path, found: "\(type) key (expected an elliptic-curve key)")
        }
        var buffer = [CChar](repeating: 0, count: 80)
        var length = 0
        let ok = EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, &buffer, buffer.count, &length)
        let name = ok == 1 ? String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self) : "explicit parameters"
        guard let curve = ECCurve(groupName: name) else {
            EVP_PKEY_free(key)
            throw IntegrityError.unsupportedCurve(path: path, curve: name)
        }
        return curve
    }
}

/// libcrypto's error queue as a typed error.
enum OpenSSL {
    static func error(_ operation: String) -> IntegrityError {
        var reasons: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            reasons.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return .crypto(operation: operation, reason: reasons.isEmpty ? "libcrypto reported no reason" : reasons.joined(separator: "; "))
    }
}
