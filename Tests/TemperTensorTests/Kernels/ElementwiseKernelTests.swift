import CTemperKernels
import Testing
@testable import TemperTensor

/// CTemperKernels' SiLU loops: every instruction-set path gives exactly the bits of the Swift
/// scalar definition (x / (1 + fastExp(-x)) and its derivative) on random values, edge values
/// (±0, ±∞, NaN, the clamps of fastExp, subnormal results) and odd lengths (vector tails).
@Suite struct ElementwiseKernelTests {
    private func inputs() -> [Float] {
        var rng = TensorRNG(seed: 7)
        var values: [Float] = [0, -0, .infinity, -.infinity, .nan, 104, -104, 103.9, -103.9, 88.72283, -88.72283,
                               88.8, -88.8, 1e-30, -1e-30, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -87.5, 87.5]
        for _ in 0..<4_093 { values.append(rng.nextNormal() * 6) }
        for _ in 0..<500 { values.append(rng.nextNormal() * 60) }
        return values
    }

    private func sameBits(_ a: [Float], _ b: [Float]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
    }

    @Test(arguments: [0, 1, 2]) func siluMatchesScalarSwift(simd: Int32) {
        let x = inputs()
        let expected = x.map { $0 / (1 + fastExp(-$0)) }
        var out = [Float](repeating: 0, count: x.count)
        temper_silu_f32(x, &out, x.count, simd)
        #expect(sameBits(out, expected))
    }

    @Test(arguments: [0, 1, 2]) func siluBackwardMatchesScalarSwift(simd: Int32) {
        let x = inputs()
        var rng = TensorRNG(seed: 8)
        let g = x.map { _ in rng.nextNormal() }
        let expected = zip(x, g).map { x, g -> Float in
            let s = 1 / (1 + fastExp(-x))
            return g * s * (1 + x * (1 - s))
        }
        var out = [Float](repeating: 0, count: x.count)
        temper_silu_backward_f32(x, g, &out, x.count, simd)
        #expect(sameBits(out, expected))
    }
}
