import Testing
@testable import TemperTensor

@Suite struct AttentionTests {
    @Test func matchesTorchWithGroupedHeadsAndMasks() throws {
        let ref = try TorchReference.load()
        let mask = try ref.ints("attention_gqa.key_mask").map { $0 != 0 }
        try ref.check("attention_gqa", inputs: ["q", "k", "v"], rtol: 1e-4, atol: 1e-5) {
            try scaledDotProductAttention(query: $0[0], key: $0[1], value: $0[2], causal: true, keyMask: mask)
        }
        let crossMask = try ref.ints("attention_cross.key_mask").map { $0 != 0 }
        try ref.check("attention_cross", inputs: ["q", "k", "v"], rtol: 1e-4, atol: 1e-5) {
            try scaledDotProductAttention(query: $0[0], key: $0[1], value: $0[2], keyMask: crossMask)
        }
        try ref.check("attention_causal_offset", inputs: ["q", "k", "v"], rtol: 1e-4, atol: 1e-5) {
            try scaledDotProductAttention(query: $0[0], key: $0[1], value: $0[2], causal: true)
        }
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        let q = try randomTensor([2, 3, 4, 2], seed: 71), k = try randomTensor([2, 3, 2, 2], seed: 72), v = try randomTensor([2, 3, 2, 3], seed: 73)
        let mask = [true, true, true, true, false, true]
        try checkGradients([q, k, v]) { try scaledDotProductAttention(query: $0[0], key: $0[1], value: $0[2], causal: true, keyMask: mask) }
        try checkGradients([q, k, v]) { try scaledDotProductAttention(query: $0[0], key: $0[1], value: $0[2], scale: 0.7) }
    }

    /// The fused op equals attention composed from primitives (matmul, additive masks, softmax).
    @Test func equalsCompositeAttention() throws {
        let (b, t, h, d) = (2, 4, 2, 3)
        let q = try randomTensor([b, t, h, d], seed: 74), k = try randomTensor([b, t, h, d], seed: 75), v = try randomTensor([b, t, h, d], seed: 76)
        let keep = [true, true, true, true, true, true, false, true]
        let fused = try scaledDotProductAttention(query: q, key: k, value: v, causal: true, keyMask: keep)
        let qh = try q.transpose(1, 2), kh = try k.transpose(1, 2), vh = try v.transpose(1, 2)
        let scores = try qh.matmul(kh, transposeOther: true) * (1 / Float(d).squareRoot())
        let masked = try scores + causalMask(queries: t, keys: t) + keyPaddingMask(keep, batch: b, keys: t)
        let composite = try masked.softmax().matmul(vh).transpose(1, 2)
        expectClose(fused.toArray(), composite.toArray(), rtol: 1e-5, atol: 1e-6, "fused vs composite")
    }

    @Test func fullyMaskedQueriesGiveZerosAndNoGradient() throws {
        let q = try randomTensor([1, 2, 1, 2], seed: 77).requiringGrad(), k = try randomTensor([1, 2, 1, 2], seed: 78).requiringGrad()
        let v = try randomTensor([1, 2, 1, 2], seed: 79).requiringGrad()
        let out = try scaledDotProductAttention(query: q, key: k, value: v, keyMask: [false, false])
        #expect(out.toArray() == [0, 0, 0, 0])
        let grads = try gradients(of: try out.sum(), wrt: [q, k, v])
        #expect(grads.allSatisfy { $0.toArray().allSatisfy { $0 == 0 } })
    }

    @Test func badShapesThrow() throws {
        let q = try Tensor.zeros([1, 2, 3, 4])
        #expect(throws: TensorError.self) { try scaledDotProductAttention(query: q, key: Tensor.zeros([1, 2, 2, 4]), value: Tensor.zeros([1, 2, 2, 4])) }
        #expect(throws: TensorError.self) { try scaledDotProductAttention(query: q, key: Tensor.zeros([1, 2, 3, 5]), value: Tensor.zeros([1, 2, 3, 4])) }
        #expect(throws: TensorError.self) { try scaledDotProductAttention(query: q, key: q, value: Tensor.zeros([1, 3, 3, 4])) }
        #expect(throws: TensorError.self) { try scaledDotProductAttention(query: q, key: q, value: q, keyMask: [true]) }
    }
}
