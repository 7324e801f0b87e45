import Testing
@testable import TemperTensor

/// `SequenceBuffer`: appends along axis 1 in place; what it returns equals the concatenation,
/// and tensors returned earlier keep their values through later appends and growths.
@Suite struct SequenceBufferTests {
    @Test func appendsEqualConcatenationAndEarlierViewsStay() throws {
        var rng = TensorRNG(seed: 1)
        let buffer = try SequenceBuffer(positionShape: [3, 4])
        var reference: Tensor? = nil
        var views: [(Tensor, [Float])] = []
        for n in [5, 1, 1, 9, 1, 20, 1] {  // crosses the first capacity (16) and a doubling
            let x = try Tensor.randn([1, n, 3, 4], rng: &rng)
            let all = try buffer.append(x)
            reference = try reference.map { try concat([$0, x], axis: 1) } ?? x
            #expect(all.shape == reference!.shape && all.toArray() == reference!.toArray())
            views.append((all, all.toArray()))
        }
        #expect(buffer.length == 38)
        for (view, values) in views { #expect(view.toArray() == values) }
    }

    @Test func shapesAreCheckedAndResetEmpties() throws {
        let buffer = try SequenceBuffer(positionShape: [2])
        #expect(throws: TensorError.self) { try buffer.append(try Tensor(shape: [2, 1, 2], repeating: 0)) }
        #expect(throws: TensorError.self) { try buffer.append(try Tensor(shape: [1, 1, 3], repeating: 0)) }
        let first = try buffer.append(try Tensor(shape: [1, 2, 2], repeating: 1))
        buffer.reset()
        #expect(buffer.length == 0)
        let again = try buffer.append(try Tensor(shape: [1, 1, 2], repeating: 5))
        #expect(again.toArray() == [5, 5] && first.toArray() == [1, 1, 1, 1])
    }
}
