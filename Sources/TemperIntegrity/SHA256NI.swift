import CCrypto
import Foundation

/// Streaming SHA-256 on the SHA-NI block functions of `Sources/CCrypto/sha256_ni.h`, whose
/// point is `update(_:_:fourWay:)`: up to four streams advanced together, their rounds
/// interleaved on one core (two streams ≈1.5×, four ≈1.8× the throughput of one). Only used
/// when `available`; everything else (and every CPU without SHA-NI) goes through libcrypto's
/// `SHA256Stream`.
final class SHA256NI {
    static let available: Bool = temper_sha256_ni_available() != 0
    /// Whether the four-stream kernel may run (it is compiled for AVX).
    static let fourWayAvailable: Bool = temper_sha256_ni_avx_available() != 0

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
        update([sa, sb], [a, b], fourWay: false)
    }

    /// Feeds `inputs[i]` to `streams[i]` (distinct streams, at most four), compressing the
    /// whole blocks they have in step together: four at once when `fourWay` (and
    /// `fourWayAvailable`), else in pairs. Inputs of equal length keep all streams in step
    /// (each stream's pending partial block can cost it one block on its own).
    static func update(_ streams: [SHA256NI], _ inputs: [UnsafeRawBufferPointer], fourWay: Bool) {
        var live: [(stream: SHA256NI, p: UnsafePointer<UInt8>, n: Int)] = []
        for (s, input) in zip(streams, inputs) {
            guard let base = input.baseAddress, !input.isEmpty else { continue }
            s.length += UInt64(input.count)
            let (p, n) = s.fillTail(base.assumingMemoryBound(to: UInt8.self), input.count)
            live.append((s, p, n))
        }
        let blocks = live.map { $0.n / 64 }.min() ?? 0
        if blocks > 0 {
            var i = 0
            if fourWay && fourWayAvailable && live.count == 4 {
                temper_sha256_blocks_4x(live[0].stream.h, live[0].p, live[1].stream.h, live[1].p,
                                        live[2].stream.h, live[2].p, live[3].stream.h, live[3].p, blocks)
                i = 4
            }
            while i + 1 < live.count {
                temper_sha256_blocks_2x(live[i].stream.h, live[i].p, live[i + 1].stream.h, live[i + 1].p, blocks)
                i += 2
            }
            if i < live.count { temper_sha256_blocks(live[i].stream.h, live[i].p, blocks) }
        }
        for (stream, p, n) in live {
            var (rest, count) = (p + 64 * blocks, n - 64 * blocks)
            stream.absorb(&rest, &count)
        }
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
