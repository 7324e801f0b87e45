import Foundation
import Testing
import TemperIntegrity
import TemperModels
import TemperText
import TemperWorld
@testable import TemperHarden

@Suite struct AdversarialTransformTests {
    /// A few steps push the harmful answers' cross-entropy up while the refusals stay learnt.
    @Test func raisesHarmfulLossAndRecordsItsConfig() throws {
        let dir = try HardenFixtures.temporaryFolder("adversarial")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("defended")
        let transform = AdversarialTransform(training: HardenTraining(learningRate: 1e-3, steps: 12, batchSize: 8, retainBatchSize: 8))
        let result = try transform.run(modelFolder: HardenFixtures.worldModel, data: try HardenFixtures.worldData(), output: out,
                                       options: HardenRunOptions(temperVersion: "test"))
        let first = try #require(result.summary.firstMetrics["harmful_ce"]), last = try #require(result.summary.finalMetrics["harmful_ce"])
        print("adversarial: harmful CE \(first) → \(last)")
        #expect(last > first)

        // Measured on the same rows with the saved model: the harmful likelihood fell.
        let tokenizer = try Tokenizer.load(out)
        let before = try LlamaModel.load(HardenFixtures.worldModel), after = try LlamaModel.load(out)
        let examples = try PairedData.examples(try HardenFixtures.worldData().harmful, encoding: try HardenFixtures.encoding(after, tokenizer))
        let batch = try PairedBatch(examples, padId: 0)
        let ceBefore = try AdversarialLoss()(model: before, batch: batch).harmfulCE.item()
        let ceAfter = try AdversarialLoss()(model: after, batch: batch).harmfulCE.item()
        #expect(ceAfter > ceBefore)

        let record = try #require(try ProvenanceLog.read(folder: out.path).last)
        #expect(record.operation == AdversarialTransform.operation)
        struct Recorded: Decodable { var transform: AdversarialTransform }
        let config = try JSONDecoder().decode(Recorded.self, from: Data(record.config.serialized(style: .serdeCompact)))
        #expect(config.transform == transform)
    }
}
