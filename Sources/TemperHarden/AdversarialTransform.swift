import Foundation
import TemperModels

/// `temper harden adversarial`: the adversarial-loss immunization baseline (METHODS.md §5):
/// learn the refusals and push the harmful answers away, `CE_m(refusal) − a·CE_m(harmful)`,
/// plus the weighted retain term on harmless rows.
public struct AdversarialTransform: Codable, Sendable, Equatable {
    public static let operation = "harden adversarial"

    public var adversarialAlpha: Double
    public var noMask: Bool
    public var training: HardenTraining

    /// Defaults for the fixture world: a = 0.1 (the reference's), lr 1e-4, 300 steps of
    /// batch 8 (the paper's lr 1e-5 × 4 epochs is scaled like RepNoise's), retain weight 1.
    public static let defaultTraining = HardenTraining(learningRate: 1e-4, steps: 300)

    public init(adversarialAlpha: Double = 0.1, noMask: Bool = false, training: HardenTraining = AdversarialTransform.defaultTraining) {
        self.adversarialAlpha = adversarialAlpha; self.noMask = noMask; self.training = training
    }

    public var loss: AdversarialLoss { AdversarialLoss(adversarialAlpha: Float(adversarialAlpha), noMask: noMask) }

    public func run(modelFolder: URL, data: HardenData, output: URL, options: HardenRunOptions) throws -> HardenResult {
        try HardenError.require(adversarialAlpha >= 0 && adversarialAlpha.isFinite, "adversarial alpha", adversarialAlpha, "must be finite and ≥ 0")
        let loss = self.loss
        return try TransformRunner.run(operation: Self.operation, config: self, settings: training, modelFolder: modelFolder,
                                       data: data, output: output, options: options) { model in
            { batch, _ in
                let parts = try loss(model: model, batch: batch)
                return (parts.total, try parts.metrics())
            }
        }
    }

    /// Writes a job for the torch engine instead of training here (Formats/job.md).
    public func exportJob(modelFolder: URL, data: HardenData, options: JobExportOptions) throws -> JobExportResult {
        try HardenError.require(adversarialAlpha >= 0 && adversarialAlpha.isFinite, "adversarial alpha", adversarialAlpha, "must be finite and ≥ 0")
        return try JobExporter.export(operation: Self.operation, config: self, settings: training, gaussianNoise: false,
                                      noMaskNoise: false, modelFolder: modelFolder, data: data, options: options)
    }
}
