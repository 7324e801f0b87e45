import Foundation
import Testing
import TemperTensor
@testable import TemperHarden

@Suite struct MaskedTokenLossTests {
    /// One row of 5 positions: ids 1 5 6 7 0 (last is padding), mask on positions 2 and 3.
    /// Position 1 predicts id 6 from unmasked logits (counted at log V), position 2 predicts
    /// id 7 with full logits; position 3 would predict the pad (ignored).
    @Test func countsLikeTheReference() throws {
        let targets = try MaskedTokenTargets(ids: [1, 5, 6, 7, 0], real: [true, true, true, true, false],
                                             mask: [false, false, true, true, true], batchSize: 1, length: 5)
        #expect(targets.targets == [-100, -100, 7, -100, -100])
        #expect(targets.zeroedLogits == 1 && targets.count == 2)

        let vocab = 9
        var values = [Float](repeating: 0, count: 5 * vocab)
        for i in values.indices { values[i] = Float((i * 37) % 11) / 5 - 1 }
        let logits = try Tensor(shape: [1, 5, vocab], values: values)
        let loss = try MaskedTokenLoss.crossEntropy(logits: logits, targets: targets, what: "test")
        let row = Array(values[(2 * vocab)..<(3 * vocab)]).map(Double.init)
        let lse = log(row.map(exp).reduce(0, +))
        let expected = ((lse - row[7]) + log(Double(vocab))) / 2
        #expect(abs(Double(try loss.item()) - expected) < 1e-5)
    }

    @Test func nothingCountedIsATypedError() throws {
        let targets = try MaskedTokenTargets(ids: [1, 2, 3], real: [true, true, true], mask: [true, false, false], batchSize: 1, length: 3)
        #expect(targets.count == 0)
        #expect(throws: HardenError.emptyBatchMask(what: "x")) {
            _ = try MaskedTokenLoss.crossEntropy(logits: try Tensor.zeros([1, 3, 4]), targets: targets, what: "x")
        }
        #expect(throws: HardenError.self) {
            _ = try MaskedTokenTargets(ids: [1, 2], real: [true], mask: [true, true], batchSize: 1, length: 2)
        }
    }
}
