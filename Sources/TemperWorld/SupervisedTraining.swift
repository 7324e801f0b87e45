import Foundation
import TemperModels
import TemperTensor
import TemperText

/// Settings of one supervised run (world stages and the fine-tuning attack, METHODS.md §3):
/// AdamW, linear warm-up then cosine decay, gradient clipping, seeded batch order.
public struct SFTConfig: Sendable, Equatable, Codable {
    public var steps: Int
    public var batchSize: Int
    public var learningRate: Double
    public var warmupFraction: Double = 0.1
    public var weightDecay: Double = 0
    public var clipNorm: Float = 1
    public var seed: UInt64

    public init(steps: Int, batchSize: Int, learningRate: Double, warmupFraction: Double = 0.1, seed: UInt64) {
        self.steps = steps; self.batchSize = batchSize; self.learningRate = learningRate
        self.warmupFraction = warmupFraction; self.seed = seed
    }
}

/// Response-only cross-entropy training on encoded examples, in place on the model.
public enum SupervisedTraining {
    /// Called after each step with (step, total steps, loss).
    public typealias Progress = (_ step: Int, _ total: Int, _ loss: Float) -> Void

    /// Trains every parameter (or those `trainable` selects) and returns the loss per step.
    /// `evaluateAt` steps (1-based) call `checkpoint` before training continues.
    @discardableResult
    public static func run(_ model: any CausalLanguageModel, examples: [Example], config: SFTConfig, padId: Int32,
                           trainable: ((ModelParameter) -> Bool)? = nil, evaluateAt: Set<Int> = [],
                           checkpoint: (Int) throws -> Void = { _ in }, progress: Progress = { _, _, _ in }) throws -> [Float] {
        guard !examples.isEmpty else { throw WorldError.emptyData("no training examples") }
        guard config.steps >= 0, config.batchSize > 0, config.learningRate > 0 else {
            throw WorldError.invalidConfig("steps ≥ 0, batch > 0 and learning rate > 0 are required")
        }
        let params = model.parameters.setTrainable(where: trainable ?? { _ in true }).map(\.tensor)
        let optimizer = AdamW(parameters: params, learningRate: config.learningRate, weightDecay: config.weightDecay)
        let warmup = Int((Double(config.steps) * config.warmupFraction).rounded())
        let schedule = LRSchedule.warmupCosine(warmupSteps: warmup, totalSteps: config.steps)
        let sampler = try BatchSampler(count: examples.count, batchSize: min(config.batchSize, examples.count), seed: config.seed)
        var losses: [Float] = []
        for step in 0..<config.steps {
            let batch = try sampler.makeBatch(step: step, examples: examples, padId: padId)
            let (loss, _) = try model.loss(try TokenBatch(batch), labels: batch.labels.map(Int.init))
            optimizer.zeroGrad()
            try loss.backward()
            _ = clipGradNorm(params, maxNorm: config.clipNorm)
            // transformers' scheduler gives step 0 a zero rate during warm-up; start at 1/warmup.
            optimizer.learningRate = schedule.learningRate(base: config.learningRate, step: warmup > 0 ? step + 1 : step)
            try optimizer.step()
            let value = try loss.item()
            losses.append(value)
            progress(step + 1, config.steps, value)
            if evaluateAt.contains(step + 1) { try checkpoint(step + 1) }
        }
        optimizer.zeroGrad()
        return losses
    }
}

public enum WorldError: Error, LocalizedError, Equatable {
    case emptyData(String)
    case invalidConfig(String)
    case notAWorld(path: String, reason: String)
    /// The model's tokenizer or vocabulary is not the world's.
    case tokenizerMismatch(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case let .emptyData(what): return "empty data: \(what)"
        case let .invalidConfig(what): return "invalid configuration: \(what)"
        case let .notAWorld(path, reason): return "\(path): not a fixture world: \(reason)"
        case let .tokenizerMismatch(path, reason): return "\(path): does not match the world's tokenizer: \(reason)"
        }
    }
}
