import Foundation
import Testing
import TemperTensor
import TemperText
@testable import TemperModels

@Suite struct FineTunerTests {
    static let rows = [
        ("what is two plus three", "five"), ("what is one plus one", "two"), ("reverse red green blue", "blue green red"),
        ("what is four minus one", "three"), ("capital of the lock", "sorry cannot help with that"),
        ("color of the door", "red"), ("what is six plus one", "seven"), ("reverse big small", "small big"),
    ].enumerated().map { DatasetRow(prompt: $1.0, response: $1.1, line: $0 + 1) }

    /// tiny-llama, its examples and a seeded sampler of batch 4.
    static func setUp() throws -> (LlamaModel, [Example], BatchSampler) {
        let folder = ModelFixtures.folder("tiny-llama")
        let model = try LlamaModel.load(folder)
        let tokenizer = try Tokenizer.load(folder.appendingPathComponent("tokenizer.json"))
        let examples = try ExampleEncoder(tokenizer: tokenizer, maxLength: 32).encode(JSONLDataset(rows: rows))
        return (model, examples, try BatchSampler(count: examples.count, batchSize: 4, seed: 3))
    }

    @Test func trainingLowersTheResponseLoss() throws {
        let (model, examples, sampler) = try Self.setUp()
        let config = TrainingConfig(steps: 30, learningRate: 1e-2, warmupSteps: 3, schedule: .cosine, seed: 1)
        let tuner = try FineTuner(model: model, config: config)
        var reports: [TrainingProgress] = []
        let summary = try tuner.run(progress: { reports.append($0) },
                                    loss: try FineTuner.responseLoss(model: model, examples: examples, sampler: sampler, padId: 0))
        #expect(summary.steps == 30 && summary.losses.count == 30)
        let first = summary.losses.prefix(2).reduce(0, +) / 2, last = summary.losses.suffix(2).reduce(0, +) / 2
        print("fine-tune tiny-llama: loss \(first) → \(last), \(summary.tokens) tokens in \(summary.seconds) s")
        #expect(last < first * 0.3)
        #expect(reports.map(\.step) == Array(1...30))
        #expect(reports[0].learningRate == 0)  // warm-up starts at 0, as transformers
        #expect(abs(reports[3].learningRate - 1e-2) < 1e-12)
        #expect(reports.allSatisfy { $0.tokensPerSecond > 0 && $0.gradientNorm > 0 && $0.etaSeconds >= 0 })
        #expect(reports.last?.etaSeconds == 0)
    }

    @Test func resumingGivesTheSameWeightsAsAnUninterruptedRun() throws {
        let tmp = try ModelFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let config = TrainingConfig(steps: 4, learningRate: 5e-3, warmupSteps: 1, weightDecay: 0.01, seed: 9, saveEvery: 2)

        let (straight, examples, sampler) = try Self.setUp()
        let full = try FineTuner(model: straight, config: config)
        let fullSummary = try full.run(loss: try FineTuner.responseLoss(model: straight, examples: examples, sampler: sampler, padId: 0))

        // Interrupted after step 2 (the periodic save), then resumed by a fresh process-like setup.
        let (first, _, _) = try Self.setUp()
        let state = tmp.appendingPathComponent("state")
        let interrupted = try FineTuner(model: first, config: config)
        var seen = 0
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try interrupted.run(stateFolder: state) { step in
                seen += 1
                if step.step == 3 { throw Stop() }
                return try FineTuner.responseLoss(model: first, examples: examples, sampler: sampler, padId: 0)(step)
            }
        }
        #expect(seen == 4)
        let (second, _, _) = try Self.setUp()
        let resumed = try FineTuner(model: second, config: config)
        try resumed.resume(from: state)
        #expect(resumed.step == 2)
        let rest = try resumed.run(stateFolder: state,
                                   loss: try FineTuner.responseLoss(model: second, examples: examples, sampler: sampler, padId: 0))
        #expect(rest.startStep == 2 && rest.steps == 2)
        #expect(rest.losses == Array(fullSummary.losses.suffix(2)))
        for (a, b) in zip(straight.parameters, second.parameters) {
            #expect(a.tensor.toArray() == b.tensor.toArray(), "\(a.name) differs after resume")
        }
        // A different config cannot resume that state.
        let (third, _, _) = try Self.setUp()
        var other = config
        other.learningRate = 1e-3
        #expect(throws: ModelError.self) { try FineTuner(model: third, config: other).resume(from: state) }
    }

    @Test func frozenParametersDoNotChange() throws {
        let (model, examples, sampler) = try Self.setUp()
        let before = model.parameters.map { $0.tensor.toArray() }
        // Train only the MLP down-projections of block 1 (as RMU does).
        let tuner = try FineTuner(model: model, config: TrainingConfig(steps: 2, learningRate: 1e-2)) {
            $0.layer == 1 && $0.name.hasSuffix("mlp.down_proj.weight")
        }
        #expect(tuner.trainable.map(\.name) == ["model.layers.1.mlp.down_proj.weight"])
        try tuner.run(loss: try FineTuner.responseLoss(model: model, examples: examples, sampler: sampler, padId: 0))
        for (p, old) in zip(model.parameters, before) {
            #expect((p.tensor.toArray() != old) == (p.name == "model.layers.1.mlp.down_proj.weight"), "\(p.name)")
        }
    }

    @Test func customLossClosureAndBadInputs() throws {
        let (model, _, _) = try Self.setUp()
        #expect(throws: ModelError.self) { try FineTuner(model: model, config: TrainingConfig(steps: 0)) }
        #expect(throws: ModelError.self) { try FineTuner(model: model, config: TrainingConfig(steps: 3, warmupSteps: 4)) }
        #expect(throws: ModelError.self) { try FineTuner(model: model, config: TrainingConfig(steps: 3)) { _ in false } }
        // A generic loss: pull block 0's residual toward zero (an RMU-style activation loss).
        let tokens = try TokenBatch([1, 4, 10, 20])
        let tuner = try FineTuner(model: model, config: TrainingConfig(steps: 3, learningRate: 1e-3, schedule: .constant, maxGradNorm: nil))
        var seeds: [UInt64] = []
        let summary = try tuner.run { step in
            seeds.append(step.seed)
            let out = try model.forward(tokens, options: ForwardOptions(captureResiduals: true, stopAfterBlock: 0))
            return StepLoss(loss: try out.residuals[1].square().mean(), tokens: 4, metrics: ["norm": 1])
        }
        #expect(summary.losses[2] < summary.losses[0])
        #expect(Set(seeds).count == 3)
        let nan = try FineTuner(model: model, config: TrainingConfig(steps: 1))
        #expect(throws: ModelError.self) {
            try nan.run { _ in StepLoss(loss: try model.logits(tokens).sum() * Float.nan, tokens: 1) }
        }
    }
}
