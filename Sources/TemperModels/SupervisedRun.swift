import Foundation
import TemperText

/// The settings of one response-only supervised run on `FineTuner` — the world's two
/// training stages, the fine-tuning attack, the trainability check and `temper finetune`
/// all use it, so the same settings train the same way everywhere.
public struct SupervisedSettings: Codable, Sendable, Equatable {
    /// Optimizer, schedule, clipping, steps and seed.
    public var training: TrainingConfig
    /// Examples per step (capped at the number of examples).
    public var batchSize: Int
    /// Which parameters train (nil: all of them).
    public var freeze: FreezeRule?

    public init(training: TrainingConfig, batchSize: Int, freeze: FreezeRule? = nil) {
        self.training = training
        self.batchSize = batchSize
        self.freeze = freeze
    }

    /// AdamW with linear warm-up over `warmupFraction` of the steps (rounded up) then cosine
    /// decay, clipping at 1 — the recipe of METHODS.md §3.
    public static func cosine(steps: Int, batchSize: Int, learningRate: Double, warmupFraction: Double = 0.1,
                              seed: UInt64, weightDecay: Double = 0) -> SupervisedSettings {
        SupervisedSettings(training: TrainingConfig(steps: steps, learningRate: learningRate,
                                                    warmupSteps: TrainingConfig.warmup(ratio: warmupFraction, steps: steps),
                                                    schedule: .cosine, weightDecay: weightDecay, seed: seed),
                           batchSize: batchSize)
    }
}

/// The one freeze rule: the embeddings and blocks 0...k stay fixed; the blocks after k,
/// the final norm and the head train (the depth audit's freeze ablation).
public struct FreezeRule: Codable, Sendable, Equatable {
    public var throughBlock: Int

    public init(throughBlock: Int) { self.throughBlock = throughBlock }

    public func isTrainable(_ p: ModelParameter) -> Bool {
        if let layer = p.layer { return layer > throughBlock }
        return p.module != .embedding
    }
}

extension FineTuner {
    /// Response-only SFT of `model` in place on `examples` under `settings`. At every step
    /// listed in `checkpoints` (1-based step counts) `checkpoint` runs before training goes
    /// on (the attack measures harm there). With `adapter` (attached to `model`, a
    /// `LoRAModel`) only the adapter trains, its dropout seeded by step as in `finetune`.
    /// Returns the summary of the whole run.
    @discardableResult
    public static func supervised(model: any CausalLanguageModel, examples: [Example], settings: SupervisedSettings, padId: Int,
                                  adapter: LoRAAdapter? = nil, checkpoints: [Int] = [], checkpoint: (Int) throws -> Void = { _ in },
                                  progress: ((TrainingProgress) -> Void)? = nil) throws -> TrainingSummary {
        guard !examples.isEmpty else { throw ModelError.emptyTrainingData(reason: "no training examples") }
        guard settings.batchSize > 0 else { throw ModelError.invalidInput(reason: "batch size must be positive, got \(settings.batchSize)") }
        let rule = settings.freeze
        let tuner = try FineTuner(model: model, config: settings.training,
                                  isTrainable: { p in adapter.map { $0.owns(p) } ?? rule?.isTrainable(p) ?? true })
        let sampler = try BatchSampler(count: examples.count, batchSize: min(settings.batchSize, examples.count), seed: settings.training.seed)
        let batchLoss = try responseLoss(model: model, examples: examples, sampler: sampler, padId: padId)
        let loss: (TrainingStep) throws -> StepLoss = { step in
            adapter?.setDropoutSeed(step.seed)
            defer { adapter?.setDropoutSeed(nil) }
            return try batchLoss(step)
        }
        let stops = Set(checkpoints.filter { $0 > 0 && $0 < settings.training.steps }).sorted() + [settings.training.steps]
        var losses: [Double] = [], tokens = 0, seconds = 0.0
        for stop in stops {
            let part = try tuner.run(until: stop, progress: progress, loss: loss)
            losses += part.losses; tokens += part.tokens; seconds += part.seconds
            if checkpoints.contains(stop) { try checkpoint(stop) }
        }
        return TrainingSummary(startStep: 0, steps: tuner.step, losses: losses, tokens: tokens, seconds: seconds)
    }
}
