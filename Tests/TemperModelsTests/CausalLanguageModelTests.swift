import Foundation
import Testing
import TemperTensor
@testable import TemperModels

@Suite struct CausalLanguageModelTests {
    @Test func labelsShiftWithinRows() throws {
        let targets = try LanguageModelLoss.shiftedTargets(labels: [-100, 5, 6, -100, 7, 8], batchSize: 2, length: 3)
        #expect(targets == [5, 6, -100, 7, 8, -100])
        #expect(throws: ModelError.self) { try LanguageModelLoss.shiftedTargets(labels: [1, 2, 3], batchSize: 2, length: 2) }
    }

    @Test func lossesAgreeWithPerTokenLogProbabilities() throws {
        var rng = TensorRNG(seed: 4)
        let logits = try Tensor.randn([2, 4, 6], rng: &rng)
        let labels = [-100, 1, 2, 3, -100, -100, 4, 5]
        let mean = try LanguageModelLoss.causal(logits: logits, labels: labels).item()
        let sequences = try LanguageModelLoss.sequenceLogProbabilities(logits: logits, labels: labels).toArray()
        // Manual: log-softmax at (row, t) of label[t + 1].
        let values = logits.toArray()
        func logp(_ row: Int, _ t: Int, _ target: Int) -> Float {
            let base = (row * 4 + t) * 6
            let m = values[base..<(base + 6)].max() ?? 0
            let lse = m + Foundation.log(values[base..<(base + 6)].map { Foundation.exp($0 - m) }.reduce(0, +))
            return values[base + target] - lse
        }
        let row0 = logp(0, 0, 1) + logp(0, 1, 2) + logp(0, 2, 3), row1 = logp(1, 1, 4) + logp(1, 2, 5)
        #expect(abs(sequences[0] - row0) < 1e-5 && abs(sequences[1] - row1) < 1e-5)
        #expect(abs(mean - (-(row0 + row1) / 5)) < 1e-5)
        #expect(throws: ModelError.self) { try LanguageModelLoss.causal(logits: try Tensor.zeros([4, 6]), labels: [1, 2, 3, 4]) }
    }
}
