import Testing
@testable import TemperTensor

@Suite struct NormsTests {
    @Test func matchesTorch() throws {
        let ref = try TorchReference.load()
        try ref.check("rmsnorm", inputs: ["x", "w"], rtol: 1e-5, atol: 1e-5) { try $0[0].rmsNorm(weight: $0[1], eps: 1e-5) }
        try ref.check("layernorm", inputs: ["x", "w", "b"], rtol: 1e-5, atol: 1e-5) {
            try $0[0].layerNorm(weight: $0[1], bias: $0[2], eps: 1e-5)
        }
        try ref.check("layernorm_plain", inputs: ["x"], rtol: 1e-5, atol: 1e-5) { try $0[0].layerNorm(weight: nil, bias: nil, eps: 1e-5) }
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        let x = try randomTensor([2, 3, 6], seed: 41), w = try randomTensor([6], seed: 42), b = try randomTensor([6], seed: 43)
        try checkGradients([x, w]) { try $0[0].rmsNorm(weight: $0[1], eps: 1e-5) }
        try checkGradients([x, w, b]) { try $0[0].layerNorm(weight: $0[1], bias: $0[2], eps: 1e-5) }
        try checkGradients([x, b]) { try $0[0].layerNorm(weight: nil, bias: $0[1], eps: 1e-5) }
        try checkGradients([x, w]) { try $0[0].layerNorm(weight: $0[1], bias: nil, eps: 1e-5) }
        try checkGradients([try randomTensor([1, 1], seed: 44), try randomTensor([1], seed: 45)]) { try $0[0].rmsNorm(weight: $0[1], eps: 1e-2) }
        // A row that is entirely zero: rstd = 1/√eps, still differentiable.
        try checkGradients([try Tensor(shape: [2, 3], values: [0, 0, 0, 1, -2, 0.5]), w.slice(axis: 0, 0..<3)], atol: 5e-3) {
            try $0[0].rmsNorm(weight: $0[1], eps: 1e-1)
        }
    }

    @Test func largeInputsSplitAcrossCoresAgreeWithSmall() throws {
        let x = try randomTensor([512, 96], seed: 46), w = try randomTensor([96], seed: 47)
        let whole = try x.rmsNorm(weight: w, eps: 1e-6).toArray()
        let firstRow = try x.slice(axis: 0, 0..<1).rmsNorm(weight: w, eps: 1e-6).toArray()
        #expect(Array(whole.prefix(96)) == firstRow)
    }

    @Test func weightShapeIsChecked() throws {
        let x = try Tensor.zeros([2, 4])
        #expect(throws: TensorError.shapeMismatch(op: "rmsNorm", lhs: [2, 4], rhs: [3])) { try x.rmsNorm(weight: Tensor.zeros([3]), eps: 1e-5) }
        #expect(throws: TensorError.self) { try x.layerNorm(weight: nil, bias: Tensor.zeros([2]), eps: 1e-5) }
    }
}
