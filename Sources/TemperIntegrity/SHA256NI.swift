import CCrypto
import Foundation

/// Streaming SHA-256 on the SHA-NI block functions of `Sources/CCrypto/sha256_ni.h`, whose
/// point is `update2`: two streams advanced together, their rounds interleaved on one core
/// (≈1.7× the throughput of one stream). Only used when `available`; everything else (and
/// every CPU without SHA-NI) goes through libcrypto's `SHA256Stream`.
final class SHA256NI {
    static let available: Bool = temper_sha256_ni_available() != 0

    private let h = UnsafeMutablePointer<UInt32>.allocate(capacity: 8)
    private let tail = UnsafeMutablePointer<UInt8>.allocate(capacity: 128)
    private var tailCount = 0
    private var length: UInt64 = 0

    init() {
        let initial: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
        for i in 0..<8 { h[i] = initial[i] }
    }

    deinit { h.deallocate(); tail.deallocate() }

    func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        length += UInt64(bytes.count)
        var (p, n) = fillTail(base.assumingMemoryBound(to: UInt8.self), bytes.count)
        absorb(&p, &n)
    }

    /// Feeds `a` and `b` to their streams, compressing the blocks both have in step together.
    static func update2(_ sa: SHA256NI, _ a: UnsafeRawBufferPointer, _ sb: SHA256NI, _ b: UnsafeRawBufferPointer) {
        guard let baseA = a.baseAddress, let baseB = b.baseAddress, !a.isEmpty, !b.isEmpty else {
            sa.update(a); sb.update(b); return
        }
        sa.length += UInt64(a.count); sb.length += UInt64(b.count)
        var (pa, na) = sa.fillTail(baseA.assumingMemoryBound(to: UInt8.self), a.count)
        var (pb, nb) = sb.fillTail(baseB.assumingMemoryBound(to: UInt8.self), b.count)
        let both = min(na, nb) / 64
        if both > 0 {
            temper_sha256_blocks_2x(sa.h, pa, sb.h, pb, both)
            pa += 64 * both; na -= 64 * both
            pb += 64 * both; nb -= 64 * both
        }
        sa.absorb(&pa, &na)
        sb.absorb(&pb, &nb)
    }

    /// Completes a partial block from the front of the input when one is pending.
    private func fillTail(_ p: UnsafePointer<UInt8>, _ n: Int) -> (UnsafePointer<UInt8>, Int) {
        guard tailCount > 0 else { return (p, n) }
        let take = min(64 - tailCount, n)
        (tail + tailCount).update(from: p, count: take)
        tailCount += take
        if tailCount == 64 {
            temper_sha256_blocks(h, tail, 1)
            tailCount = 0
        }
        return (p + take, n - take)
    }

    /// Whole blocks straight from the input, the rest into the tail.
    private func absorb(_ p: inout UnsafePointer<UInt8>, _ n: inout Int) {
        let blocks = n / 64
        if blocks > 0 {
            temper_sha256_blocks(h, p, blocks)
            p += 64 * blocks; n -= 64 * blocks
        }
        if n > 0 {
            (tail + tailCount).update(from: p, count: n)
            tailCount += n
            n = 0
        }
    }

    /// Pads (0x80, zeros, 64-bit big-endian bit length) and returns the digest.
    func finalize() -> SHA256Digest {
        let bits = length &* 8
        tail[tailCount] = 0x80
        var end = tailCount + 1
        let padded = end <= 56 ? 64 : 128
        while end < padded - 8 { tail[end] = 0; end += 1 }
        for i in 0..<8 { tail[padded - 8 + i] = UInt8(truncatingIfNeeded: bits >> (56 - 8 * UInt64(i))) }
        temper_sha256_blocks(h, tail, padded / 64)
        tailCount = 0
        var out: [UInt8] = []
        out.reserveCapacity(32)
        for i in 0..<8 { withUnsafeBytes(of: h[i].bigEndian) { out += $0 } }
        return SHA256Digest(bytes: out)
    }
}
