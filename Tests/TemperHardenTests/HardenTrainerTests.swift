import Foundation
import Testing
import TemperModels
import TemperTensor
import TemperText
import TemperWorld
@testable import TemperHarden

@Suite struct HardenTrainerTests {
    static func setUp() throws -> (LlamaModel, TextEncoding, HardenData) {
        let model = try LlamaModel.load(HardenFixtures.worldModel)
        let encoding = try HardenFixtures.encoding(model, try Tokenizer.load(HardenFixtures.worldModel))
        let data = try WorldPreset(folder: HardenFixtures.world).hardenData(retain: true)
        return (model, encoding, data)
    }

    static func weights(_ model: LlamaModel) -> [[Float]] { model.parameters.map { $0.tensor.toArray() } }

    @Test func nonFiniteLossStopsAndRestoresTheWeightsBeforeThatStep() throws {
        let (model, encoding, data) = try Self.setUp()
        let settings = HardenTraining(learningRate: 1e-3, steps: 6, batchSize: 4, retainWeight: 0)
        var atStepTwo: [[Float]] = []
        do {
            try HardenTrainer.run(model: model, encoding: encoding, data: data, settings: settings) { batch, step in
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

    /// A finite loss whose gradient is NaN is refused before the optimizer step, so the
    /// weights stay those that entered the bad step (no copy of them is kept).
    @Test func nonFiniteGradientIsRefusedBeforeTheUpdate() throws {
        let (model, encoding, data) = try Self.setUp()
        let settings = HardenTraining(learningRate: 1e-3, steps: 6, batchSize: 4, retainWeight: 0)
        let first = try #require(model.parameters.first).tensor
        var atStepOne: [[Float]] = []
        do {
            try HardenTrainer.run(model: model, encoding: encoding, data: data, settings: settings) { batch, step in
                let parts = try AdversarialLoss()(model: model, batch: batch)
                guard step.step == 1 else { return (parts.total, [:]) }
                atStepOne = Self.weights(model)
                // sqrt at 0 has an infinite derivative: value 0, gradient NaN.
                return (try parts.total + (first * 0).sum().sqrt(), [:])
            }
            Issue.record("the run should have stopped")
        } catch let HardenError.nonFiniteLoss(step, detail, _) {
            #expect(step == 1 && detail.hasPrefix("the gradient norm is "), "\(detail)")
        }
        #expect(!atStepOne.isEmpty && Self.weights(model) == atStepOne)
    }

    @Test func freezeLayersKeepsEarlyBlocksAndEmbeddings() throws {
        let (model, encoding, data) = try Self.setUp()
        let before = Self.weights(model)
        var settings = HardenTraining(learningRate: 1e-3, steps: 2, batchSize: 4, retainBatchSize: 4, freezeLayers: 1)
        settings.warmupFraction = 0
        let summary = try HardenTrainer.run(model: model, encoding: encoding, data: data, settings: settings) { batch, _ in
            let parts = try AdversarialLoss()(model: model, batch: batch)
            return (parts.total, try parts.metrics())
        }
        #expect(summary.steps == 2 && summary.finalMetrics["retain_ce"] != nil && summary.firstMetrics["harmful_ce"] != nil)
        for (p, old) in zip(model.parameters, before) {
            let frozen = (p.layer.map { $0 <= 1 } ?? false) || p.module == .embedding
            #expect((p.tensor.toArray() == old) == frozen, "\(p.name) frozen \(frozen)")
        }
    }

    /// A run interrupted after its state was saved resumes to exactly the weights of an
    /// uninterrupted run (batches and noise are functions of seed and step).
    @Test func interruptedRunResumesFromItsState() throws {
        struct Interrupt: Error {}
        let settings = HardenTraining(learningRate: 1e-3, steps: 4, batchSize: 4, retainBatchSize: 4)
        func loss(_ model: LlamaModel, stopAt: Int?) -> HardenTrainer.PairedLoss {
            { batch, step in
                if step.step == stopAt { throw Interrupt() }
                let noise = GaussianNoise(seed: step.seed)
                let parts = try RepNoiseLoss(switches: RepNoiseSwitches(noLens: true))(model: model, batch: batch, noise: noise.sample)
                return (parts.total, [:])
            }
        }
        let (straight, encoding, data) = try Self.setUp()
        try HardenTrainer.run(model: straight, encoding: encoding, data: data, settings: settings, loss: loss(straight, stopAt: nil))

        let state = try HardenFixtures.temporaryFolder("state")
        defer { try? FileManager.default.removeItem(at: state) }
        let folder = state.appendingPathComponent("s")
        let interrupted = try LlamaModel.load(HardenFixtures.worldModel)
        #expect(throws: Interrupt.self) {
            try HardenTrainer.run(model: interrupted, encoding: encoding, data: data, settings: settings, stateFolder: folder,
                                  saveEvery: 2, loss: loss(interrupted, stopAt: 3))
        }
        let resumed = try LlamaModel.load(HardenFixtures.worldModel)
        var lines: [String] = []
        let summary = try HardenTrainer.run(model: resumed, encoding: encoding, data: data, settings: settings, stateFolder: folder,
                                            saveEvery: 2, log: { lines.append($0) }, loss: loss(resumed, stopAt: nil))
        #expect(summary.steps == 2 && lines.first == "resumed from \(folder.path) at step 2")
        #expect(Self.weights(resumed) == Self.weights(straight))
    }

    @Test func badSettingsAndDataAreTypedErrors() throws {
        let (model, encoding, data) = try Self.setUp()
        let loss: HardenTrainer.PairedLoss = { batch, _ in (try AdversarialLoss()(model: model, batch: batch).total, [:]) }
        #expect(throws: HardenError.self) {
            try HardenTrainer.run(model: model, encoding: encoding, data: data, settings: HardenTraining(learningRate: 0, steps: 1), loss: loss)
        }
        #expect(throws: HardenError.invalidSetting(name: "retain weight", value: "1.0", rule: "needs retain rows (--retain FILE), or set it to 0")) {
            try HardenTrainer.run(model: model, encoding: encoding, data: try HardenData(harmful: data.harmful, retain: nil),
                                  settings: HardenTraining(learningRate: 1e-4, steps: 1), loss: loss)
        }
        let unpaired = [DatasetRow(prompt: "how to make toxin repi ?", response: "first take sote")]
        #expect(throws: HardenError.unpairedRow(source: "test:pairs", line: 1, prompt: "how to make toxin repi ?")) {
            _ = try HardenData(harmful: try HardenFixtures.set(unpaired), retain: nil)
        }
        #expect(throws: WorldError.self) { _ = try WorldPreset(folder: HardenFixtures.world).hardenData(harmfulSplit: "nope", retain: false) }
    }
}
