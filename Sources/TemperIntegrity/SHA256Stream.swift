import CCrypto
import Foundation

/// A SHA-256 value: 32 bytes, printed as 64 lowercase hex digits.
public struct SHA256Digest: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    public let bytes: [UInt8]

    /// `bytes` must hold exactly 32 bytes; anything else is rejected by `init?(hex:)` callers.
    init(bytes: [UInt8]) { self.bytes = bytes }

    /// Parses 64 hex digits (either case); nil for anything else.
    public init?(hex: String) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 64 else { return nil }
        var out = [UInt8](repeating: 0, count: 32)
        for i in 0..<32 {
            guard let hi = Self.nibble(utf8[2 * i]), let lo = Self.nibble(utf8[2 * i + 1]) else { return nil }
            out[i] = hi << 4 | lo
        }
        bytes = out
    }

    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8](); out.reserveCapacity(64)
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { hex }

    public static func < (a: SHA256Digest, b: SHA256Digest) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let d = SHA256Digest(hex: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a SHA-256 hex digest: \(text)"))
        }
        self = d
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(hex)
    }

    /// SHA-256 of a byte buffer in one call.
    public static func of(_ data: some DataProtocol) -> SHA256Digest {
        let stream = SHA256Stream()
        for region in data.regions { region.withUnsafeBytes { stream.update($0) } }
        return stream.finalize()
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return nil
        }
    }
}

/// Streaming SHA-256 through libcrypto's EVP interface (uses SHA-NI where the CPU has it).
/// One instance per thread; `finalize` may be called once.
public final class SHA256Stream {
    private let ctx: OpaquePointer
    private var result: SHA256Digest?

    public init() {
        // EVP_MD_CTX_new only fails on allocation failure, which Swift treats as fatal anyway.
        ctx = EVP_MD_CTX_new()
        EVP_DigestInit_ex(ctx, SHA256Stream.md, nil)
    }

    deinit { EVP_MD_CTX_free(ctx) }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard result == nil, let base = bytes.baseAddress, bytes.count > 0 else { return }
        EVP_DigestUpdate(ctx, base, bytes.count)
    }

    public func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

    /// The digest of everything passed to `update`; later calls return the same value.
    public func finalize() -> SHA256Digest {
        if let result { return result }
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        out.withUnsafeMutableBufferPointer { _ = EVP_DigestFinal_ex(ctx, $0.baseAddress, &length) }
        let digest = SHA256Digest(bytes: out)
        result = digest
        return digest
    }

    /// Fetched once: implicit fetches on every init cost a lock and a lookup.
    nonisolated(unsafe) private static let md: OpaquePointer? = EVP_MD_fetch(nil, "SHA256", nil)
}
