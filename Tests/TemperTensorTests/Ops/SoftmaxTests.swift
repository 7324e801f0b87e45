import Testing
@testable import TemperTensor

@Suite struct SoftmaxTests {
    @Test func matchesTorchWithLargeLogits() throws {
        let ref = try TorchReference.load()
        try ref.check("softmax", inputs: ["x"], rtol: 1e-5, atol: 1e-6) { try $0[0].softmax() }
        try ref.check("log_softmax", inputs: ["x"], rtol: 1e-5, atol: 1e-4) { try $0[0].logSoftmax() }
        try ref.check("softmax_axis0", inputs: ["x"], rtol: 1e-5, atol: 1e-6) { try $0[0].softmax(axis: 0) }
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        let x = try randomTensor([3, 5], seed: 31, scale: 2)
        try checkGradients([x]) { try $0[0].softmax() }
        try checkGradients([x]) { try $0[0].logSoftmax() }
        try checkGradients([x]) { try $0[0].softmax(axis: 0) }
        try checkGradients([try randomTensor([2, 1], seed: 32)]) { try $0[0].logSoftmax() }
        // Large logits: f32 finite differences need a larger step relative to the values.
        let big = try Tensor(shape: [2, 3], values: [1000, 1001, 999, -500, -501, -499.5])
        try checkGradients([big], eps: 2e-2, rtol: 3e-2, atol: 3e-3) { try $0[0].softmax() }
    }

    @Test func fullyMaskedRowsGiveZeros() throws {
        let x = try Tensor(shape: [2, 3], values: [-.infinity, -.infinity, -.infinity, 0, -.infinity, 0], requiresGrad: true)
        let y = try x.softmax()
        #expect(y.toArray() == [0, 0, 0, 0.5, 0, 0.5])
        let g = try gradients(of: try (y * Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])).sum(), wrt: [x])[0]
        #expect(g.toArray() == [0, 0, 0, -0.5, 0, 0.5])
    }
}
