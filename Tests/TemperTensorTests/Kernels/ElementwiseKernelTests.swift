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

    /// The Swift loop the kernel replaced (Adam.swift before it), as the reference.
    private func adamReference(_ p: inout [Float], _ g: [Float], _ m: inout [Float], _ v: inout [Float], decay: Float,
                               weight: Float, b2: Float, negStep: Float, bc2Sqrt: Float, eps: Float) {
        for j in p.indices {
            if decay != 1 { p[j] *= decay }
            m[j] = weight < 0.5 ? m[j].addingProduct(weight, g[j] - m[j]) : g[j].addingProduct(weight - 1, g[j] - m[j])
            v[j] = v[j] * b2 + (1 - b2) * g[j] * g[j]
            p[j] += negStep * m[j] / (v[j].squareRoot() / bc2Sqrt + eps)
        }
    }

    @Test(arguments: [0, 1, 2]) func adamUpdateMatchesScalarSwift(simd: Int32) {
        var rng = TensorRNG(seed: 9)
        let n = 1_003
        let g = (0..<n).map { _ in rng.nextNormal() }
        for (weight, decay) in [(Float(0.1), Float(1)), (0.1, 0.9995), (0.9, 0.99)] {
            var p = (0..<n).map { _ in rng.nextNormal() }, m = (0..<n).map { _ in rng.nextNormal() * 0.1 }
            var v = (0..<n).map { _ in abs(rng.nextNormal()) * 0.01 }
            var (pk, mk, vk) = (p, m, v)
            let (b2, negStep, bc2Sqrt, eps): (Float, Float, Float, Float) = (0.999, -1e-3, 0.0447, 1e-8)
            adamReference(&p, g, &m, &v, decay: decay, weight: weight, b2: b2, negStep: negStep, bc2Sqrt: bc2Sqrt, eps: eps)
            temper_adam_update_f32(&pk, g, &mk, &vk, n, decay, weight, weight < 0.5 ? 1 : 0, b2, 1 - b2, negStep, bc2Sqrt, eps, simd)
            #expect(sameBits(pk, p) && sameBits(mk, m) && sameBits(vk, v))
        }
    }
}
