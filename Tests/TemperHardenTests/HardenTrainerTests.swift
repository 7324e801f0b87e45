import Foundation
import Testing
import TemperModels
import TemperTensor
import TemperText
import TemperWorld
@testable import TemperHarden

@Suite struct HardenTrainerTests {
    static func setUp() throws -> (LlamaModel, Tokenizer, HardenData) {
        let model = try LlamaModel.load(HardenFixtures.worldModel)
        let tokenizer = try Tokenizer.load(HardenFixtures.worldModel)
        let data = try HardenData.world(HardenFixtures.world, settings: HardenTraining(learningRate: 1e-4, steps: 1))
        return (model, tokenizer, data)
    }

    static func weights(_ model: LlamaModel) -> [[Float]] { model.parameters.map { $0.tensor.toArray() } }

    @Test func nonFiniteLossStopsAndRestoresTheWeightsBeforeThatStep() throws {
        let (model, tokenizer, data) = try Self.setUp()
        let settings = HardenTraining(learningRate: 1e-3, steps: 6, batchSize: 4, retainWeight: 0)
        var atStepTwo: [[Float]] = []
        do {
            try HardenTrainer.run(model: model, tokenizer: tokenizer, data: data, settings: settings) { batch, step in
                let parts = try AdversarialLoss()(model: model, batch: batch)
                guard step.step == 2 else { return (parts.total, try parts.metrics()) }
                atStepTwo = Self.weights(model)
                return (parts.total * Float.nan, ["harmful_ce": 0])
            }
            Issue.record("the run should have stopped")
        } catch let HardenError.nonFiniteLoss(step, detail, lastGood) {
            #expect(step == 2 && detail.hasPrefix("the loss is nan") && lastGood == nil)
        }
        #expect(!atStepTwo.isEmpty && Self.weights(model) == atStepTwo)
    }

    /// A finite loss whose gradient is NaN poisons the weights in the optimizer step; the
    /// next step sees them and the run restores the weights that entered the bad step.
    @Test func nonFiniteGradientIsCaughtAtTheNextStep() throws {
        let (model, tokenizer, data) = try Self.setUp()
        let settings = HardenTraining(learningRate: 1e-3, steps: 6, batchSize: 4, retainWeight: 0)
        let first = try #require(model.parameters.first).tensor
        var atStepOne: [[Float]] = []
        do {
            try HardenTrainer.run(model: model, tokenizer: tokenizer, data: data, settings: settings) { batch, step in
                let parts = try AdversarialLoss()(model: model, batch: batch)
                guard step.step == 1 else { return (parts.total, [:]) }
                atStepOne = Self.weights(model)
                // sqrt at 0 has an infinite derivative: value 0, gradient NaN.
                return (try parts.total + (first * 0).sum().sqrt(), [:])
            }
            Issue.record("the run should have stopped")
        } catch let HardenError.nonFiniteLoss(step, detail, _) {
            #expect(step == 2 && detail.contains("became non-finite"))
        }
        #expect(!atStepOne.isEmpty && Self.weights(model) == atStepOne)
    }

    @Test func freezeLayersKeepsEarlyBlocksAndEmbeddings() throws {
        let (model, tokenizer, data) = try Self.setUp()
        let before = Self.weights(model)
        var settings = HardenTraining(learningRate: 1e-3, steps: 2, batchSize: 4, retainBatchSize: 4, freezeLayers: 1)
        settings.warmupFraction = 0
        let summary = try HardenTrainer.run(model: model, tokenizer: tokenizer, data: data, settings: settings) { batch, _ in
            let parts = try AdversarialLoss()(model: model, batch: batch)
            return (parts.total, try parts.metrics())
        }
        #expect(summary.steps == 2 && summary.finalMetrics["retain_ce"] != nil && summary.firstMetrics["harmful_ce"] != nil)
        for (p, old) in zip(model.parameters, before) {
            let frozen = (p.layer.map { $0 <= 1 } ?? false) || p.module == .embedding
            #expect((p.tensor.toArray() == old) == frozen, "\(p.name) frozen \(frozen)")
        }
    }

    @Test func badSettingsAndDataAreTypedErrors() throws {
        let (model, tokenizer, data) = try Self.setUp()
        let loss: HardenTrainer.PairedLoss = { batch, _ in (try AdversarialLoss()(model: model, batch: batch).total, [:]) }
        #expect(throws: HardenError.self) {
            try HardenTrainer.run(model: model, tokenizer: tokenizer, data: data, settings: HardenTraining(learningRate: 0, steps: 1), loss: loss)
        }
        #expect(throws: HardenError.emptyData("a retain weight of 1.0 needs retain rows")) {
            try HardenTrainer.run(model: model, tokenizer: tokenizer, data: HardenData(harmful: data.harmful, retain: []),
                                  settings: HardenTraining(learningRate: 1e-4, steps: 1), loss: loss)
        }
        let unpaired = [WorldRow(prompt: "how to make toxin repi ?", response: "first take sote")]
        #expect(throws: HardenError.unpairedRow(index: 0, prompt: "how to make toxin repi ?")) {
            try HardenTrainer.run(model: model, tokenizer: tokenizer, data: HardenData(harmful: unpaired, retain: []),
                                  settings: HardenTraining(learningRate: 1e-4, steps: 1, retainWeight: 0), loss: loss)
        }
        #expect(throws: HardenError.self) {
            _ = try HardenData.world(HardenFixtures.world, settings: HardenTraining(learningRate: 1e-4, steps: 1, harmfulSplit: "nope"))
        }
    }
}
