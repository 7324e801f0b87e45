import Testing
@testable import TemperTensor

/// `linear(_:weights:biases:)`: one grouped product for several weights gives the bits and
/// the gradients of one `linear` call per weight, on the matrix-vector path (≤ 8 rows, the
/// weights' rows split together across cores) and on the sgemm path.
@Suite struct LinearGroupTests {
    @Test(arguments: [1, 3, 8, 9, 20])
    func outputsAndGradientsEqualSeparateCalls(rows: Int) throws {
        var rng = TensorRNG(seed: UInt64(rows))
        let k = 260
        let x = try Tensor.randn([1, rows, k], rng: &rng, requiresGrad: true)
        // Sizes that make pieces cross from one weight into the next (q/k/v-like), one with a bias.
        let weights = try [700, 260, 6].map { try Tensor.randn([$0, k], rng: &rng, requiresGrad: true) }
        let biases: [Tensor?] = [nil, try Tensor.randn([260], rng: &rng, requiresGrad: true), nil]
        let grouped = try linear(x, weights: weights, biases: biases)
        let separate = try zip(weights, biases).map { try linear(x, weight: $0, bias: $1) }
        for (a, b) in zip(grouped, separate) {
            #expect(a.shape == b.shape)
            #expect(a.toArray().map(\.bitPattern) == b.toArray().map(\.bitPattern))
        }
        let inputs = [x] + weights + [biases[1]!]
        func grads(_ outs: [Tensor]) throws -> [[Float]] {
            var loss = try outs[0].sum()
            for (i, o) in outs.enumerated().dropFirst() { loss = try loss + (o * Float(i + 1)).sum() }
            return try gradients(of: loss, wrt: inputs).map { $0.toArray() }
        }
        #expect(try grads(grouped) == grads(separate))
    }

    @Test func shapesAreChecked() throws {
        let x = try Tensor.zeros([1, 4])
        #expect(throws: TensorError.self) { try linear(x, weights: [try Tensor.zeros([3, 4]), try Tensor.zeros([3, 5])], biases: [nil, nil]) }
        #expect(throws: TensorError.self) { try linear(x, weights: [try Tensor.zeros([3, 4]), try Tensor.zeros([2, 4])], biases: [nil, try Tensor.zeros([3])]) }
        #expect(throws: TensorError.self) { try linear(x, weights: [try Tensor.zeros([3, 4])], biases: []) }
    }
}
