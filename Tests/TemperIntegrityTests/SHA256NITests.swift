import Foundation
import Testing
@testable import TemperIntegrity

@Suite(.enabled(if: SHA256NI.available, "the CPU has no SHA extensions"))
struct SHA256NITests {
    @Test func singleStreamMatchesLibcryptoAtEveryLength() {
        let data = Fx.bytes(300, seed: 21)
        for n in 0...data.count {
            let s = SHA256NI()
            data.prefix(n).withUnsafeBytes { s.update($0) }
            #expect(s.finalize() == SHA256Digest.of(data.prefix(n)), "length \(n)")
        }
    }

    /// Two streams fed in ragged, differently aligned pieces, together and apart.
    @Test func pairedStreamsMatchLibcrypto() {
        let a = Fx.bytes(50_000, seed: 22), b = Fx.bytes(47_777, seed: 23)
        for (stepA, stepB) in [(1, 1), (7, 64), (63, 65), (64, 64), (1000, 129), (4096, 17)] {
            let sa = SHA256NI(), sb = SHA256NI()
            var ia = 0, ib = 0, round = 0
            while ia < a.count || ib < b.count {
                let na = min(a.count - ia, stepA + round % 3), nb = min(b.count - ib, stepB + round % 5)
                a[ia..<ia + na].withUnsafeBytes { ra in b[ib..<ib + nb].withUnsafeBytes { rb in SHA256NI.update2(sa, ra, sb, rb) } }
                if round % 4 == 3, ia + na < a.count {  // sometimes one stream moves alone
                    a[(ia + na)..<(ia + na + 1)].withUnsafeBytes { sa.update($0) }
                    ia += 1
                }
                ia += na; ib += nb; round += 1
            }
            #expect(sa.finalize() == SHA256Digest.of(a), "steps \(stepA)/\(stepB)")
            #expect(sb.finalize() == SHA256Digest.of(b), "steps \(stepA)/\(stepB)")
        }
    }

    /// Four streams (and three) fed ragged pieces together, through the four-stream kernel
    /// and through pairs; some rounds give a stream nothing.
    @Test(arguments: [true, false])
    func fourStreamsMatchLibcrypto(fourWay: Bool) {
        let data = (0..<4).map { Fx.bytes(30_000 + 1_111 * $0, seed: 25 + UInt64($0)) }
        for count in [3, 4] {
            for step in [1, 63, 64, 65, 1000, 4096] {
                let streams = (0..<count).map { _ in SHA256NI() }
                var at = [Int](repeating: 0, count: count)
                var round = 0
                while zip(at, data).contains(where: { $0 < $1.count }) {
                    var pieces: [[UInt8]] = []
                    for k in 0..<count {
                        let n = round % (k + 3) == 0 ? 0 : min(data[k].count - at[k], step + (round + k) % 7)
                        pieces.append(Array(data[k][at[k]..<at[k] + n]))
                        at[k] += n
                    }
                    let buffers = pieces.map { UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, $0.count), alignment: 1) }
                    defer { buffers.forEach { $0.deallocate() } }
                    for (b, p) in zip(buffers, pieces) { p.withUnsafeBytes { b.copyMemory(from: $0) } }
                    let inputs = zip(buffers, pieces).map { UnsafeRawBufferPointer(rebasing: $0[0..<$1.count]) }
                    SHA256NI.update(streams, inputs, fourWay: fourWay)
                    round += 1
                }
                for k in 0..<count {
                    #expect(streams[k].finalize() == SHA256Digest.of(data[k]), "stream \(k) of \(count), step \(step)")
                }
            }
        }
    }

    @Test func sameBytesIntoTwoStreamsAtDifferentOffsets() {
        let data = Fx.bytes(10_000, seed: 24)
        let file = SHA256NI(), tensor = SHA256NI()
        data[0..<37].withUnsafeBytes { file.update($0) }  // a header the tensor does not cover
        data[37...].withUnsafeBytes { SHA256NI.update2(file, $0, tensor, $0) }
        #expect(file.finalize() == SHA256Digest.of(data))
        #expect(tensor.finalize() == SHA256Digest.of(data[37...]))
    }
}
