import Foundation
import TemperModels

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
    /// Longest example in tokens (prompt template included).
    public var maxLength: Int

    public init(learningRate: Double, steps: Int, batchSize: Int = 8, warmupFraction: Double = 0.1, seed: UInt64 = 0,
                maxGradNorm: Float? = 1, weightDecay: Double = 0, retainWeight: Double = 1, retainBatchSize: Int = 8,
                freezeLayers: Int? = nil, maxLength: Int = 64) {
        self.learningRate = learningRate; self.steps = steps; self.batchSize = batchSize
        self.warmupFraction = warmupFraction; self.seed = seed; self.maxGradNorm = maxGradNorm
        self.weightDecay = weightDecay; self.retainWeight = retainWeight; self.retainBatchSize = retainBatchSize
        self.freezeLayers = freezeLayers; self.maxLength = maxLength
    }

    public func validate() throws {
        try HardenError.require(learningRate > 0 && learningRate.isFinite, "learning rate", learningRate, "must be positive")
        try HardenError.require(steps > 0, "steps", steps, "must be positive")
        try HardenError.require(batchSize > 0, "batch size", batchSize, "must be positive")
        try HardenError.require(retainBatchSize > 0, "retain batch size", retainBatchSize, "must be positive")
        try HardenError.require((0...1).contains(warmupFraction), "warm-up fraction", warmupFraction, "must be in [0, 1]")
        try HardenError.require(retainWeight >= 0 && retainWeight.isFinite, "retain weight", retainWeight, "must be ≥ 0")
        if let maxGradNorm { try HardenError.require(maxGradNorm > 0, "max grad norm", maxGradNorm, "must be positive") }
        if let freezeLayers { try HardenError.require(freezeLayers >= 0, "freeze-layers", freezeLayers, "must be ≥ 0") }
        try HardenError.require(maxLength > 1, "max length", maxLength, "must exceed 1")
    }

    /// The `FineTuner` settings these give.
    public func trainingConfig(saveEvery: Int? = nil) -> TrainingConfig {
        TrainingConfig(steps: steps, learningRate: learningRate, warmupSteps: TrainingConfig.warmup(ratio: warmupFraction, steps: steps),
                       schedule: .cosine, weightDecay: weightDecay, maxGradNorm: maxGradNorm, seed: seed, saveEvery: saveEvery)
    }

    /// The freeze ablation as the one freeze rule of TemperModels.
    public var freeze: FreezeRule? { freezeLayers.map { FreezeRule(throughBlock: $0) } }

    /// Whether a parameter trains under the freeze ablation.
    public func isTrainable(_ p: ModelParameter) -> Bool { freeze?.isTrainable(p) ?? true }
}

/// The rows a transform trains on.
public struct HardenData: Sendable, Equatable {
    /// Harmful rows with their refusals (a pairs file: prompt, response, refusal).
    public var harmful: RowSet
    /// Harmless rows for the retain term (nil: no retain data).
    public var retain: RowSet?

    public init(harmful: RowSet, retain: RowSet?) throws {
        try harmful.requireRefusals()
        self.harmful = harmful.role("harmful")
        self.retain = retain?.role("retain")
    }

    /// What provenance records.
    public var records: [DataRecord] { [harmful.record] + (retain.map { [$0.record] } ?? []) }
}
