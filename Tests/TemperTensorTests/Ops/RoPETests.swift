import Testing
@testable import TemperTensor

@Suite struct RoPETests {
    @Test func matchesHuggingFaceLlamaAndGPTJ() throws {
        let ref = try TorchReference.load()
        let shared = try RoPETable(rotaryDim: 8, theta: 10000, positions: try ref.ints("rope_halves.positions"))
        try ref.check("rope_halves", inputs: ["x"], rtol: 1e-5, atol: 1e-5) { try $0[0].rope(shared) }
        let batched = try RoPETable(rotaryDim: 6, theta: 10000, positions: try ref.ints("rope_batched.positions"))
        try ref.check("rope_batched", inputs: ["x"], rtol: 1e-5, atol: 1e-5) { try $0[0].rope(batched) }
        let gptj = try RoPETable(rotaryDim: 4, theta: 10000, positions: Array(0..<5), layout: .interleaved)
        try ref.check("rope_gptj", inputs: ["x"], rtol: 1e-5, atol: 1e-5) { try $0[0].rope(gptj) }
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        for layout in [RoPELayout.halves, .interleaved] {
            let table = try RoPETable(rotaryDim: 4, theta: 100, positions: [3, 0, 7], layout: layout)
            try checkGradients([try randomTensor([1, 3, 2, 6], seed: 61)]) { try $0[0].rope(table) }
        }
    }

    @Test func rotationPreservesNormsAndPositionZeroIsIdentity() throws {
        let table = try RoPETable(rotaryDim: 8, theta: 10000, positions: [0, 5])
        let x = try randomTensor([1, 2, 1, 8], seed: 62)
        let y = try x.rope(table)
        #expect(Array(y.toArray().prefix(8)) == Array(x.toArray().prefix(8)))
        let n0 = try x.square().sum().item(), n1 = try y.square().sum().item()
        #expect(Swift.abs(n0 - n1) < 1e-4)
    }

    @Test func badTablesThrow() throws {
        #expect(throws: TensorError.self) { try RoPETable(rotaryDim: 5, theta: 10000, positions: [0]) }
        let table = try RoPETable(rotaryDim: 8, theta: 10000, positions: [0, 1, 2])
        #expect(throws: TensorError.self) { try Tensor.zeros([1, 2, 1, 8]).rope(table) }
        #expect(throws: TensorError.self) { try Tensor.zeros([1, 3, 1, 4]).rope(table) }
        #expect(throws: TensorError.self) { try Tensor.zeros([3, 8]).rope(table) }
    }
}
