import Testing
@testable import TemperTensor

@Suite struct LossesTests {
    @Test func crossEntropyMatchesTorch() throws {
        let ref = try TorchReference.load()
        let targets = try ref.ints("ce.targets")
        try ref.check("ce_mean", inputs: ["x"], rtol: 1e-5, atol: 1e-5) { try crossEntropy($0[0], targets: targets) }
        try ref.check("ce_sum", inputs: ["x"], rtol: 1e-5, atol: 1e-5) { try crossEntropy($0[0], targets: targets, reduction: .sum) }
        try ref.check("ce_none", inputs: ["x"], rtol: 1e-5, atol: 1e-5) { try crossEntropy($0[0], targets: targets, reduction: .none) }
        let targets3 = try ref.ints("ce_3d.targets")
        try ref.check("ce_3d", inputs: ["x"], rtol: 1e-5, atol: 1e-5) { try crossEntropy($0[0], targets: targets3) }
        try ref.check("mse", inputs: ["a", "b"], rtol: 1e-5, atol: 1e-6) { try mseLoss($0[0], $0[1]) }
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        let logits = try randomTensor([4, 5], seed: 81, scale: 2)
        let targets = [1, -100, 4, 0]
        for reduction in [Reduction.mean, .sum, .none] {
            try checkGradients([logits]) { try crossEntropy($0[0], targets: targets, reduction: reduction) }
        }
        try checkGradients([logits]) { try tokenLogProbabilities($0[0], targets: [3, 3, 3, -1], ignoreIndex: -1) }
        try checkGradients([logits, try randomTensor([4, 5], seed: 82)]) { try mseLoss($0[0], $0[1]) }
        let large = try Tensor(shape: [2, 3], values: [500, -200, 480, 0, 900, 899])
        try checkGradients([large], eps: 2e-2, rtol: 3e-2, atol: 3e-3) { try crossEntropy($0[0], targets: [2, 1]) }
    }

    @Test func sequenceLogProbabilitiesFromMaskedTargets() throws {
        let logits = try randomTensor([2, 3, 4], seed: 83)
        let targets = try maskedTargets([1, 2, 3, 0, 1, 2], mask: [false, true, true, false, false, true])
        let perToken = try tokenLogProbabilities(logits, targets: targets).sum(axis: 1)
        let logProbs = try logits.logSoftmax().toArray()
        let expected: [Float] = [logProbs[1 * 4 + 2] + logProbs[2 * 4 + 3], logProbs[5 * 4 + 2]]
        expectClose(perToken.toArray(), expected, rtol: 1e-6, atol: 1e-6, "sequence log-probs")
    }

    @Test func allIgnoredGivesZeroAndBadTargetsThrow() throws {
        let logits = try randomTensor([2, 3], seed: 84).requiringGrad()
        let loss = try crossEntropy(logits, targets: [-100, -100])
        #expect(try loss.item() == 0)
        #expect(try gradients(of: loss, wrt: [logits])[0].toArray().allSatisfy { $0 == 0 })
        #expect(throws: TensorError.indexOutOfRange(op: "crossEntropy target", index: 3, bound: 3)) { try crossEntropy(logits, targets: [3, 0]) }
        #expect(throws: TensorError.self) { try crossEntropy(logits, targets: [0]) }
        #expect(throws: TensorError.self) { try mseLoss(logits, Tensor.zeros([3, 2])) }
        #expect(throws: TensorError.self) { try maskedTargets([1], mask: []) }
    }
}
