import Testing
@testable import TemperTensor

@Suite struct ReductionsTests {
    @Test func matchesTorch() throws {
        let ref = try TorchReference.load()
        try ref.check("sum_all", inputs: ["x"]) { try $0[0].sum() }
        try ref.check("sum_02_keep", inputs: ["x"]) { try $0[0].sum(axes: [0, 2], keepDims: true) }
        try ref.check("mean_last", inputs: ["x"]) { try $0[0].mean(axis: -1) }
        try ref.check("max_1", inputs: ["x"]) { try $0[0].max(axis: 1) }
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        let x = try randomTensor([2, 3, 4], seed: 11)
        try checkGradients([x]) { try $0[0].sum(axes: [1]) }
        try checkGradients([x]) { try $0[0].sum(axes: [0, 2], keepDims: true) }
        try checkGradients([x]) { try $0[0].mean(axes: [-1, 0]) }
        try checkGradients([x]) { try $0[0].mean() }
        // Distinct values at least 0.1 apart, so a finite-difference step never changes the winner.
        var order = Array(0..<24)
        var rng = TensorRNG(seed: 13)
        rng.shuffle(&order)
        let distinct = try Tensor(shape: [2, 3, 4], values: order.map { Float($0) * 0.1 - 1 })
        try checkGradients([distinct]) { try $0[0].max(axis: 2, keepDims: true) }
        try checkGradients([distinct]) { try $0[0].max(axis: 0) }
        try checkGradients([try randomTensor([1, 5, 1], seed: 12)]) { try $0[0].sum(axes: [0, 2]) }
    }

    @Test func sumsLargeTensorsAccurately() throws {
        let n = 1 << 20
        let x = try Tensor(shape: [n], values: (0..<n).map { Float($0 % 7) * 0.1 })
        let expected = (0..<n).reduce(0.0) { $0 + Double(Float($1 % 7) * 0.1) }
        #expect(Swift.abs(Double(try x.sum().item()) - expected) / expected < 1e-6)
        let rows = try x.reshape([1024, 1024]).sum(axis: 0)
        #expect(Swift.abs(Double(try rows.sum().item()) - expected) / expected < 1e-5) // f32 column sums
    }

    @Test func argmaxAndErrors() throws {
        let x = try Tensor(shape: [2, 3], values: [1, 5, 2, 7, 0, 7])
        #expect(x.argmax() == [1, 0])
        #expect(throws: TensorError.invalidAxis(op: "sum", axis: 2, rank: 2)) { try x.sum(axis: 2) }
        #expect(throws: TensorError.self) { try x.sum(axes: [0, -2]) }
        #expect(throws: TensorError.self) { try Tensor.zeros([2, 0]).max(axis: 1) }
        #expect(try x.max(axis: 1).toArray() == [5, 7])
    }
}
