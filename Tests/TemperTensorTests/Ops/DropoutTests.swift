import Testing
@testable import TemperTensor

@Suite struct DropoutTests {
    @Test func seededMaskScalesAndPassesGradient() throws {
        let x = try Tensor(shape: [1000], repeating: 1, requiresGrad: true)
        var rng = TensorRNG(seed: 5)
        let y = try dropout(x, p: 0.25, rng: &rng)
        let values = y.toArray()
        #expect(values.allSatisfy { $0 == 0 || $0 == Float(1) / 0.75 })
        let kept = values.filter { $0 != 0 }.count
        #expect(kept > 700 && kept < 800)
        let g = try gradients(of: try y.sum(), wrt: [x])[0].toArray()
        #expect(g == values)
        var again = TensorRNG(seed: 5)
        #expect(try dropout(x, p: 0.25, rng: &again).toArray() == values)
    }

    @Test func edgeProbabilities() throws {
        let x = try Tensor(shape: [4], values: [1, 2, 3, 4])
        var rng = TensorRNG(seed: 1)
        #expect(try dropout(x, p: 0, rng: &rng) === x)
        #expect(try dropout(x, p: 1, rng: &rng).toArray() == [0, 0, 0, 0])
        #expect(throws: TensorError.self) { try dropout(x, p: 1.5, rng: &rng) }
    }
}
