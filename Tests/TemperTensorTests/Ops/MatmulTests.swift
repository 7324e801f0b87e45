import Testing
@testable import TemperTensor

@Suite struct MatmulTests {
    @Test func matchesTorch() throws {
        let ref = try TorchReference.load()
        try ref.check("matmul_nn", inputs: ["a", "b"]) { try $0[0].matmul($0[1]) }
        try ref.check("matmul_nt", inputs: ["a", "b"]) { try $0[0].matmul($0[1], transposeOther: true) }
        try ref.check("matmul_tn", inputs: ["a", "b"]) { try $0[0].matmul($0[1], transposeSelf: true) }
        try ref.check("matmul_tt", inputs: ["a", "b"]) { try matmul($0[0], $0[1], transposeA: true, transposeB: true) }
        try ref.check("matmul_shared_b", inputs: ["a", "b"]) { try $0[0].matmul($0[1]) }
        try ref.check("matmul_shared_bt", inputs: ["a", "b"]) { try $0[0].matmul($0[1], transposeOther: true) }
        try ref.check("matmul_shared_b_ta", inputs: ["a", "b"]) { try $0[0].matmul($0[1], transposeSelf: true) }
        try ref.check("matmul_shared_a", inputs: ["a", "b"]) { try $0[0].matmul($0[1]) }
        try ref.check("linear", inputs: ["x", "w", "b"]) { try linear($0[0], weight: $0[1], bias: $0[2]) }
        try ref.check("linear_nobias", inputs: ["x", "w"]) { try linear($0[0], weight: $0[1]) }
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        for (tA, tB) in [(false, false), (false, true), (true, false), (true, true)] {
            let a = try randomTensor(tA ? [2, 4, 3] : [2, 3, 4], seed: 1), b = try randomTensor(tB ? [2, 5, 4] : [2, 4, 5], seed: 2)
            try checkGradients([a, b]) { try $0[0].matmul($0[1], transposeSelf: tA, transposeOther: tB) }
            let shared = try randomTensor(tB ? [5, 4] : [4, 5], seed: 3)
            try checkGradients([a, shared]) { try $0[0].matmul($0[1], transposeSelf: tA, transposeOther: tB) }
            let sharedA = try randomTensor(tA ? [4, 3] : [3, 4], seed: 4)
            try checkGradients([sharedA, b]) { try $0[0].matmul($0[1], transposeSelf: tA, transposeOther: tB) }
        }
        // Size-1 dims and a vector-like product.
        try checkGradients([try randomTensor([1, 1, 3], seed: 5), try randomTensor([3, 1], seed: 6)]) { try $0[0].matmul($0[1]) }
        try checkGradients([try randomTensor([2, 1, 3], seed: 7), try randomTensor([4, 3], seed: 8), try randomTensor([4], seed: 9)]) {
            try linear($0[0], weight: $0[1], bias: $0[2])
        }
    }

    @Test func rejectsMismatchedShapes() throws {
        let a = try Tensor.zeros([2, 3, 4])
        #expect(throws: TensorError.shapeMismatch(op: "matmul", lhs: [2, 3, 4], rhs: [5, 6])) { try a.matmul(Tensor.zeros([5, 6])) }
        #expect(throws: TensorError.self) { try a.matmul(Tensor.zeros([3, 4, 5])) }
        #expect(throws: TensorError.self) { try a.matmul(Tensor.zeros([4])) }
        #expect(throws: TensorError.self) { try linear(a, weight: Tensor.zeros([5, 3])) }
        #expect(throws: TensorError.self) { try linear(a, weight: Tensor.zeros([5, 4]), bias: Tensor.zeros([4])) }
    }

    @Test func emptyInnerDimensionGivesZeros() throws {
        let out = try Tensor.zeros([2, 0]).matmul(Tensor.zeros([0, 3]))
        #expect(out.shape == [2, 3] && out.toArray() == Array(repeating: 0, count: 6))
    }
}
