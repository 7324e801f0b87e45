import Foundation
import TemperModels

/// `temper harden repnoise`: rewrites a checkpoint with the RepNoise loss (METHODS.md §4)
/// on paired harmful/refusal rows, plus the weighted retain term on harmless
/// rows. The whole value is the provenance record's config.
public struct RepNoiseTransform: Codable, Sendable, Equatable {
    public static let operation = "harden repnoise"

    public var alpha: Double
    public var beta: Double
    public var switches: RepNoiseSwitches
    public var training: HardenTraining

    /// Defaults for the fixture world: α 1, β 0.001 (the reference's), AdamW lr 1e-4
    /// (the reference demo's; METHODS.md §2 calibration), 300 steps of batch 8, 10% warm-up,
    /// retain weight 1 on harmless rows.
    public static let defaultTraining = HardenTraining(learningRate: 1e-4, steps: 300)

    public init(alpha: Double = 1, beta: Double = 0.001, switches: RepNoiseSwitches = RepNoiseSwitches(),
                training: HardenTraining = RepNoiseTransform.defaultTraining) {
        self.alpha = alpha; self.beta = beta; self.switches = switches; self.training = training
    }

    public var loss: RepNoiseLoss { RepNoiseLoss(alpha: Float(alpha), beta: Float(beta), switches: switches) }

    public func run(modelFolder: URL, data: HardenData, output: URL, options: HardenRunOptions) throws -> HardenResult {
        try HardenError.require(alpha >= 0 && alpha.isFinite, "alpha", alpha, "must be finite and ≥ 0")
        try HardenError.require(beta >= 0 && beta.isFinite, "beta", beta, "must be finite and ≥ 0")
        let loss = self.loss
        return try TransformRunner.run(operation: Self.operation, config: self, settings: training, modelFolder: modelFolder,
                                       data: data, output: output, options: options) { model in
            { batch, step in
                // Fresh Gaussian samples every step, a function of (seed, step) so a resumed run draws the same.
                let noise = GaussianNoise(seed: step.seed)
                let parts = try loss(model: model, batch: batch, noise: noise.sample)
                return (parts.total, try parts.metrics())
            }
        }
    }

    /// Writes a job for the torch engine instead of training here (Formats/job.md): the
    /// noise each step draws goes into the job, so the engine's losses equal this run's.
    public func exportJob(modelFolder: URL, data: HardenData, options: JobExportOptions) throws -> JobExportResult {
        try HardenError.require(alpha >= 0 && alpha.isFinite, "alpha", alpha, "must be finite and ≥ 0")
        try HardenError.require(beta >= 0 && beta.isFinite, "beta", beta, "must be finite and ≥ 0")
        return try JobExporter.export(operation: Self.operation, config: self, settings: training, gaussianNoise: !switches.noNoise,
                                      noMaskNoise: switches.noMask, modelFolder: modelFolder, data: data, options: options)
    }
}
