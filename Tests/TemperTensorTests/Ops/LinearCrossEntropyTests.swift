import Testing
@testable import TemperTensor

/// `linearCrossEntropy` equals `crossEntropy(linear(x, W))` in value and gradients (several
/// chunks, ignored rows, both reductions), passes finite differences, and refuses bad input.
@Suite struct LinearCrossEntropyTests {
    private func targets(_ rows: Int, vocab: Int, ignoreEvery: Int) -> [Int] {
        var rng = TensorRNG(seed: 5)
        return (0..<rows).map { $0 % ignoreEvery == 3 ? -100 : rng.nextInt(below: vocab) }
    }

    @Test(arguments: [Reduction.sum, .mean]) func matchesUnfusedOverSeveralChunks(reduction: Reduction) throws {
        // 70 000 words: 59 rows per chunk, so 150 rows (a third ignored) take several chunks.
        let (rows, hidden, vocab) = (150, 12, 70_000)
        let x = try randomTensor([3, rows / 3, hidden], seed: 1), w = try randomTensor([vocab, hidden], seed: 2, scale: 0.3)
        let t = targets(rows, vocab: vocab, ignoreEvery: 3)
        x.requiresGrad = true
        w.requiresGrad = true
        let fused = try linearCrossEntropy(x, weight: w, targets: t, reduction: reduction)
        let plain = try crossEntropy(try linear(x, weight: w), targets: t, reduction: reduction)
        expectClose([try fused.item()], [try plain.item()], rtol: 1e-5, atol: 1e-5, "loss")
        let gFused = try gradients(of: fused, wrt: [x, w]), gPlain = try gradients(of: plain, wrt: [x, w])
        expectClose(gFused[0].toArray(), gPlain[0].toArray(), rtol: 1e-4, atol: 1e-7, "dx")
        expectClose(gFused[1].toArray(), gPlain[1].toArray(), rtol: 1e-4, atol: 1e-7, "dW")
        // Ignored rows get exactly zero gradient.
        let dx = gFused[0].toArray()
        for row in 0..<rows where t[row] == -100 { #expect(dx[(row * hidden)..<(row * hidden + hidden)].allSatisfy { $0 == 0 }) }
    }

    @Test func passesFiniteDifferences() throws {
        let x = try randomTensor([5, 4], seed: 3), w = try randomTensor([7, 4], seed: 4)
        let t = [2, -100, 6, 0, 3]
        try checkGradients([x, w]) { try linearCrossEntropy($0[0], weight: $0[1], targets: t, reduction: .sum) }
        try checkGradients([x, w]) { try linearCrossEntropy($0[0], weight: $0[1], targets: t) }
    }

    @Test func everyRowIgnoredGivesZero() throws {
        let x = try randomTensor([4, 3], seed: 5), w = try randomTensor([6, 3], seed: 6)
        x.requiresGrad = true
        let loss = try linearCrossEntropy(x, weight: w, targets: [-100, -100, -100, -100])
        #expect(try loss.item() == 0)
        #expect(try gradients(of: loss, wrt: [x])[0].toArray().allSatisfy { $0 == 0 })
    }

    @Test func refusesBadInput() throws {
        let x = try randomTensor([2, 3], seed: 7), w = try randomTensor([5, 3], seed: 8)
        #expect(throws: TensorError.self) { try linearCrossEntropy(x, weight: try randomTensor([5, 4], seed: 9), targets: [0, 1]) }
        #expect(throws: TensorError.self) { try linearCrossEntropy(x, weight: w, targets: [0]) }
        #expect(throws: TensorError.self) { try linearCrossEntropy(x, weight: w, targets: [0, 5]) }
        #expect(throws: TensorError.self) { try linearCrossEntropy(x, weight: w, targets: [0, 1], reduction: .none) }
    }
}
