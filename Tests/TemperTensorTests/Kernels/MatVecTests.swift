import Foundation
import Testing
@testable import TemperTensor

/// The decoding kernels (CTemperKernels f32_gemv.c through `BLAS.matVec` and
/// `AttentionKernels.decodeForward`): the AVX2/FMA and portable paths give the same bits, and
/// both agree with a float64 reference and with the sgemm path they replace.
@Suite struct MatVecTests {
    static func values(_ count: Int, seed: UInt64) throws -> [Float] {
        var rng = TensorRNG(seed: seed)
        return try Tensor.randn([count], rng: &rng).toArray()
    }

    /// C[m×n] (+)= X·Wᵀ through `matVec` with the given path.
    static func matVec(_ x: [Float], _ w: [Float], m: Int, n: Int, k: Int, start: [Float]?, simd: Bool) -> [Float] {
        var y = start ?? [Float](repeating: .nan, count: m * n)
        x.withUnsafeBufferPointer { xp in
            w.withUnsafeBufferPointer { wp in
                y.withUnsafeMutableBufferPointer { yp in
                    BLAS.matVec(m: m, n: n, k: k, x: xp.baseAddress!, ldx: k, w: wp.baseAddress!, ldw: k,
                                accumulate: start != nil, y: yp.baseAddress!, ldy: n, simd: simd)
                }
            }
        }
        return y
    }

    @Test func simdAndPortablePathsGiveTheSameBits() throws {
        // k = 3·32 + 7: full 32-lane groups and a tail; n large enough to split across cores.
        for (m, n, k) in [(1, 37, 103), (3, 700, 103), (8, 5, 32), (2, 3, 5)] {
            let x = try Self.values(m * k, seed: 1), w = try Self.values(n * k, seed: 2)
            let a = Self.matVec(x, w, m: m, n: n, k: k, start: nil, simd: true)
            let b = Self.matVec(x, w, m: m, n: n, k: k, start: nil, simd: false)
            #expect(a.map(\.bitPattern) == b.map(\.bitPattern), "m \(m) n \(n) k \(k)")
            let bias = try Self.values(m * n, seed: 3)
            let c = Self.matVec(x, w, m: m, n: n, k: k, start: bias, simd: true)
            let d = Self.matVec(x, w, m: m, n: n, k: k, start: bias, simd: false)
            #expect(c.map(\.bitPattern) == d.map(\.bitPattern))
            #expect(c != a)
        }
    }

    @Test func productMatchesAFloat64Reference() throws {
        let (m, n, k) = (3, 700, 103)
        let x = try Self.values(m * k, seed: 4), w = try Self.values(n * k, seed: 5), bias = try Self.values(m * n, seed: 6)
        let y = Self.matVec(x, w, m: m, n: n, k: k, start: bias, simd: true)
        for i in 0..<m {
            for j in 0..<n {
                var exact = Double(bias[i * n + j]), magnitude = abs(exact)
                for t in 0..<k {
                    exact += Double(x[i * k + t]) * Double(w[j * k + t])
                    magnitude += abs(Double(x[i * k + t]) * Double(w[j * k + t]))
                }
                #expect(abs(Double(y[i * n + j]) - exact) <= 1e-6 * magnitude, "row \(i) col \(j)")
            }
        }
    }

    /// `linear` with one row (matrix-vector path) against the same row inside a 12-row
    /// product (sgemm path), with a bias.
    @Test func linearOfOneRowAgreesWithTheSgemmPath() throws {
        var rng = TensorRNG(seed: 7)
        let x = try Tensor.randn([12, 200], rng: &rng), w = try Tensor.randn([300, 200], rng: &rng)
        let bias = try Tensor.randn([300], rng: &rng)
        let all = try linear(x, weight: w, bias: bias).toArray()
        let one = try linear(x.slice(axis: 0, 5..<6), weight: w, bias: bias).toArray()
        for j in 0..<300 { #expect(abs(one[j] - all[5 * 300 + j]) <= 1e-4, "col \(j)") }
    }

    /// Attention with one query position (the decode kernel) equals the last row of the
    /// causal multi-position path over the same keys, for grouped heads and a batch of 2.
    @Test func decodeAttentionAgreesWithTheMultiPositionPath() throws {
        var rng = TensorRNG(seed: 8)
        let (b, s, hq, hkv, d) = (2, 19, 6, 2, 40)
        let q = try Tensor.randn([b, 3, hq, d], rng: &rng)
        let k = try Tensor.randn([b, s, hkv, d], rng: &rng), v = try Tensor.randn([b, s, hkv, d], rng: &rng)
        let full = try scaledDotProductAttention(query: q, key: k, value: v, causal: true).toArray()
        let last = try scaledDotProductAttention(query: q.slice(axis: 1, 2..<3), key: k, value: v, causal: true).toArray()
        for bi in 0..<b {
            for i in 0..<(hq * d) {
                let expected = full[(bi * 3 + 2) * hq * d + i], got = last[bi * hq * d + i]
                #expect(abs(expected - got) <= 1e-5, "batch \(bi) element \(i)")
            }
        }
    }
}
