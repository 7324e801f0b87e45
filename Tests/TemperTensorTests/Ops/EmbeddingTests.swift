import Testing
@testable import TemperTensor

@Suite struct EmbeddingTests {
    @Test func matchesTorch() throws {
        let ref = try TorchReference.load()
        let ids = try ref.ints("embedding.ids")
        try ref.check("embedding", inputs: ["w"]) { try embedding($0[0], ids: ids, shape: [2, 3]) }
    }

    @Test func repeatedIdsAccumulateGradients() throws {
        try checkGradients([try randomTensor([5, 3], seed: 51)]) { try embedding($0[0], ids: [4, 1, 4, 4, 0, 1], shape: [3, 2]) }
        let w = try Tensor(shape: [3, 2], values: [1, 2, 3, 4, 5, 6], requiresGrad: true)
        let g = try gradients(of: try embedding(w, ids: [2, 2, 0], shape: [3]).sum(), wrt: [w])[0]
        #expect(g.toArray() == [1, 1, 0, 0, 2, 2])
    }

    @Test func badIdsThrow() throws {
        let w = try Tensor.zeros([4, 2])
        #expect(throws: TensorError.indexOutOfRange(op: "embedding (token id)", index: 4, bound: 4)) { try embedding(w, ids: [0, 4], shape: [2]) }
        #expect(throws: TensorError.self) { try embedding(w, ids: [-1], shape: [1]) }
        #expect(throws: TensorError.self) { try embedding(w, ids: [0, 1], shape: [3]) }
    }
}
