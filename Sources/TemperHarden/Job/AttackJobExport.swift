import Foundation
import TemperModels
import TemperText

/// One (learning rate, seed) run of the fine-tuning attack (METHODS.md §3,
/// `FineTuningAttack.run`) as a job, so a publisher can run the attack at cluster scale:
/// full-parameter response-only SFT on the (prompt, harmful response) rows with exactly the
/// loop `temper attack` trains with — `FineTuner.supervised` under `SupervisedSettings.cosine`
/// (AdamW β 0.9/0.999, ε 1e-8, no weight decay, ⌈10%⌉ linear warm-up then cosine, clipping at
/// 1, batches from `BatchSampler(seed)`). The job trains only; harm is measured afterwards by
/// `temper job import` + `temper eval`/audits on the attacked model. The whole value is the
/// provenance config of the imported model. LoRA attacks are not exported (their seeded
/// adapter initialisation would have to come from Temper too).
public struct FineTuningAttackJob: Codable, Sendable, Equatable {
    public static let operation = "attack finetune"

    public var learningRate: Double
    public var seed: UInt64
    /// Optimizer steps (the attack grid's largest budget).
    public var steps: Int
    public var batchSize: Int
    /// Longest example in tokens (the attack's --max-length).
    public var maxLength: Int

    public init(learningRate: Double, seed: UInt64, steps: Int, batchSize: Int = 8, maxLength: Int = TextEncoding.defaultMaxLength) {
        self.learningRate = learningRate; self.seed = seed; self.steps = steps; self.batchSize = batchSize; self.maxLength = maxLength
    }

    /// What `FineTuningAttack.run` trains one run with.
    public var supervised: SupervisedSettings {
        SupervisedSettings.cosine(steps: steps, batchSize: batchSize, learningRate: learningRate, seed: seed)
    }

    /// The same settings in the form the job exporter writes (no retain term, nothing frozen);
    /// its `trainingConfig()` equals `supervised.training` (UnlearnJobExportTests checks it).
    var training: HardenTraining {
        let t = supervised.training
        return HardenTraining(learningRate: t.learningRate, steps: t.steps, batchSize: batchSize, warmupFraction: 0.1, seed: t.seed,
                              maxGradNorm: t.maxGradNorm, weightDecay: t.weightDecay, retainWeight: 0, maxLength: maxLength)
    }

    public func validate() throws {
        try HardenError.require(learningRate > 0 && learningRate.isFinite, "learning rate", learningRate, "must be finite and positive")
        try HardenError.require(steps > 0, "steps", steps, "must be positive")
        try HardenError.require(batchSize > 0, "batch size", batchSize, "must be positive")
        try HardenError.require(maxLength >= 2, "max length", maxLength, "must be at least 2")
    }

    /// Writes the job (Formats/job.md): data/train.safetensors (the rows as `temper attack`
    /// tokenizes them, response-only labels) and data/order.safetensors `train` (each step's
    /// indices from the attack's sampler).
    public func exportJob(modelFolder: URL, train: RowSet, options: JobExportOptions) throws -> JobExportResult {
        try validate()
        let settings = training
        let (model, encoding) = try JobExporter.prepare(operation: Self.operation, settings: settings, modelFolder: modelFolder, options: options)
        let rows = train.role("attack")
        let examples = try encoding.examples(rows)
        guard !examples.isEmpty else { throw HardenError.emptyData(source: rows.name, reason: "no attack rows") }
        let sampler = try BatchSampler(count: examples.count, batchSize: min(batchSize, examples.count), seed: seed)
        let recorded = RecordedConfig(transform: self, data: [rows.record], template: encoding.formatDescription)
        let shape = JobExporter.BatchShape(padId: encoding.padId, batchSize: sampler.batchSize, retainBatchSize: 0)
        return try JobExporter.write(operation: Self.operation, config: recorded, settings: settings, model: model, encoding: encoding, shape: shape,
                                     summary: "\(examples.count) attack rows", noise: false, modelFolder: modelFolder, options: options) { root in
            try JobData.writeRetain(examples, padId: encoding.padId, to: root.appendingPathComponent("data/train.safetensors"))
            try JobData.writeOrder([("train", sampler)], steps: steps, to: root.appendingPathComponent("data/order.safetensors"))
        }
    }
}
