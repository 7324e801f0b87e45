import Foundation
import TemperModels
import TemperWorld

/// Training settings shared by the weight-rewriting transforms (AdamW, linear warm-up then
/// cosine decay, gradient clipping, seeded batch order), plus the retain term and the
/// freeze ablation.
public struct HardenTraining: Codable, Sendable, Equatable {
    public var learningRate: Double
    public var steps: Int
    /// Paired (harmful, refusal) examples per step.
    public var batchSize: Int
    /// Warm-up steps as a fraction of `steps` (rounded up).
    public var warmupFraction: Double
    public var seed: UInt64
    public var maxGradNorm: Float?
    public var weightDecay: Double
    /// Weight of a response-only cross-entropy term on a batch of harmless rows added to
    /// every step (METHODS.md §2: refusals alone as retain data wreck harmless accuracy);
    /// 0 turns it off, which is the reference recipe.
    public var retainWeight: Double
    public var retainBatchSize: Int
    /// Freeze the embeddings and blocks 0...k (the depth audit's freeze ablation); nil trains all.
    public var freezeLayers: Int?
    /// World splits: the paired harmful rows (with refusals) and the retain rows.
    public var harmfulSplit: String
    public var retainSplit: String
    public var maxLength: Int

    public init(learningRate: Double, steps: Int, batchSize: Int = 8, warmupFraction: Double = 0.1, seed: UInt64 = 0,
                maxGradNorm: Float? = 1, weightDecay: Double = 0, retainWeight: Double = 1, retainBatchSize: Int = 8,
                freezeLayers: Int? = nil, harmfulSplit: String = "harmful_a_train", retainSplit: String = "harmless_train",
                maxLength: Int = 64) {
        self.learningRate = learningRate; self.steps = steps; self.batchSize = batchSize
        self.warmupFraction = warmupFraction; self.seed = seed; self.maxGradNorm = maxGradNorm
        self.weightDecay = weightDecay; self.retainWeight = retainWeight; self.retainBatchSize = retainBatchSize
        self.freezeLayers = freezeLayers; self.harmfulSplit = harmfulSplit; self.retainSplit = retainSplit
        self.maxLength = maxLength
    }

    public func validate() throws {
        guard learningRate > 0, learningRate.isFinite else { throw HardenError.invalidConfig("learning rate must be positive, got \(learningRate)") }
        guard steps > 0 else { throw HardenError.invalidConfig("steps must be positive, got \(steps)") }
        guard batchSize > 0, retainBatchSize > 0 else { throw HardenError.invalidConfig("batch sizes must be positive") }
        guard (0...1).contains(warmupFraction) else { throw HardenError.invalidConfig("warm-up fraction must be in [0, 1], got \(warmupFraction)") }
        guard retainWeight >= 0, retainWeight.isFinite else { throw HardenError.invalidConfig("retain weight must be ≥ 0, got \(retainWeight)") }
        if let maxGradNorm, !(maxGradNorm > 0) { throw HardenError.invalidConfig("max grad norm must be positive, got \(maxGradNorm)") }
        if let freezeLayers, freezeLayers < 0 { throw HardenError.invalidConfig("freeze-layers must be ≥ 0, got \(freezeLayers)") }
        guard maxLength > 1 else { throw HardenError.invalidConfig("max length must exceed 1, got \(maxLength)") }
    }

    /// The `FineTuner` settings these give.
    public func trainingConfig(saveEvery: Int? = nil) -> TrainingConfig {
        TrainingConfig(steps: steps, learningRate: learningRate, warmupSteps: TrainingConfig.warmup(ratio: warmupFraction, steps: steps),
                       schedule: .cosine, weightDecay: weightDecay, maxGradNorm: maxGradNorm, seed: seed, saveEvery: saveEvery)
    }

    /// Whether a parameter trains under the freeze ablation (blocks ≤ k and the embeddings
    /// frozen; the final norm and the head still train).
    public func isTrainable(_ p: ModelParameter) -> Bool {
        guard let k = freezeLayers else { return true }
        if let layer = p.layer { return layer > k }
        return p.module != .embedding
    }
}

/// The rows a transform trains on.
public struct HardenData: Sendable, Equatable {
    /// Harmful rows with their refusals.
    public var harmful: [WorldRow]
    /// Harmless rows for the retain term.
    public var retain: [WorldRow]

    public init(harmful: [WorldRow], retain: [WorldRow]) {
        self.harmful = harmful
        self.retain = retain
    }

    /// The splits `settings` names, regenerated from the world's seed.
    public static func world(_ world: URL, settings: HardenTraining) throws -> HardenData {
        let manifest = try WorldFiles.readManifest(world: world)
        let data = WorldDatasets(language: WorldLanguage(seed: manifest.seed), seed: manifest.seed)
        for split in [settings.harmfulSplit, settings.retainSplit] where !WorldDatasets.splitNames.contains(split) {
            throw HardenError.invalidConfig("'\(split)' is not a world split (\(WorldDatasets.splitNames.joined(separator: ", ")))")
        }
        return HardenData(harmful: data[settings.harmfulSplit], retain: settings.retainWeight > 0 ? data[settings.retainSplit] : [])
    }
}
