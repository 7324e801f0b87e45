import Foundation
import TemperModels
import TemperTensor
import TemperText

/// What a hardening run did.
public struct HardenSummary: Codable, Sendable, Equatable {
    public var steps: Int
    public var seconds: Double
    /// Loss parts of the first step and means over the last 10% of steps (at least one).
    public var firstMetrics: [String: Double]
    public var finalMetrics: [String: Double]
}

/// The loop every hardening transform shares: `FineTuner` (AdamW, warm-up + cosine,
/// clipping, optional resumable state) over seeded paired batches, plus the weighted retain
/// term on harmless rows. `FineTuner` refuses a step whose loss or gradient is not finite
/// before it changes the weights, so on `nonFiniteLoss` the model holds the last good
/// weights (the caller saves them) and no copy of the weights is ever kept.
public enum HardenTrainer {
    /// Builds one step's loss from its paired batch: the loss tensor and its parts.
    public typealias PairedLoss = (_ batch: PairedBatch, _ step: TrainingStep) throws -> (loss: Tensor, metrics: [String: Double])
    /// Replaces the default retain term (`retainWeight` × response CE) with the transform's
    /// own term on the same harmless batch (already weighted).
    public typealias RetainLoss = (_ batch: Batch, _ step: TrainingStep) throws -> (loss: Tensor, metrics: [String: Double])

    @discardableResult
    public static func run(model: any CausalLanguageModel, encoding: TextEncoding, data: HardenData, settings: HardenTraining,
                           stateFolder: URL? = nil, saveEvery: Int? = nil, lossLog: URL? = nil,
                           log: @escaping (String) -> Void = { _ in },
                           batchGroup: Int = 1, retainLoss: RetainLoss? = nil,
                           loss pairedLoss: PairedLoss) throws -> HardenSummary {
        // `batchGroup` consecutive steps train on one batch (LAT's model iterations per adversary run).
        try HardenError.require(batchGroup > 0, "steps per batch", batchGroup, "must be positive")
        try settings.validate()
        let batches = try HardenBatches(encoding: encoding, data: data, settings: settings)
        let tuner = try FineTuner(model: model, config: settings.trainingConfig(saveEvery: saveEvery), isTrainable: settings.isTrainable)
        if let stateFolder, FineTuner.hasSavedState(at: stateFolder) {
            try tuner.resume(from: stateFolder)
            log("resumed from \(stateFolder.path) at step \(tuner.step)")
        }
        var history: [[String: Double]] = []
        var lossLines: [TrainingProgress] = []
        let every = max(1, settings.steps / 20)
        let summary: TrainingSummary
        do {
            summary = try tuner.run(stateFolder: stateFolder, progress: { p in
                history.append(p.metrics)
                lossLines.append(p)
                guard p.step % every == 0 || p.step == p.totalSteps || p.step == 1 else { return }
                let parts = p.metrics.keys.sorted().filter { $0 != "loss" }.map { String(format: "%@ %.4f", $0, p.metrics[$0] ?? 0) }
                log(String(format: "step %d/%d loss %.4f  %@  lr %.2e |g| %.3f  eta %.0f s", p.step, p.totalSteps, p.loss,
                           parts.joined(separator: "  "), p.learningRate, p.gradientNorm, p.etaSeconds))
            }) { step in
                let batch = try batches.pairedBatch(step: step.step / batchGroup)
                var (loss, metrics) = try pairedLoss(batch, step)
                var tokens = batch.harmfulReal.filter { $0 }.count + batch.refusalReal.filter { $0 }.count
                if let rb = try batches.retainBatch(step: step.step / batchGroup) {
                    if let retainLoss {
                        let (term, parts) = try retainLoss(rb, step)
                        loss = try loss + term
                        metrics.merge(parts) { $1 }
                    } else {
                        let (ce, _) = try model.loss(try TokenBatch(rb), labels: rb.labels.map(Int.init))
                        metrics["retain_ce"] = Double(try ce.item())
                        loss = try loss + ce * Float(settings.retainWeight)
                    }
                    tokens += rb.attentionMask.reduce(0) { $0 + Int($1) }
                }
                metrics["loss"] = Double(try loss.item())
                return StepLoss(loss: loss, tokens: tokens, metrics: metrics)
            }
        } catch let ModelError.nonFiniteLoss(step, detail) {
            // A diverged run still leaves the record of the steps it took.
            if let lossLog { try LossLog.write(lossLines, to: lossLog) }
            throw HardenError.nonFiniteLoss(step: step, detail: detail, lastGood: nil)
        }
        if let lossLog { try LossLog.write(lossLines, to: lossLog) }
        return HardenSummary(steps: summary.steps, seconds: summary.seconds, firstMetrics: history.first ?? [:],
                             finalMetrics: mean(Array(history.suffix(max(1, history.count / 10)))))
    }

    static func mean(_ rows: [[String: Double]]) -> [String: Double] {
        guard !rows.isEmpty else { return [:] }
        var out: [String: Double] = [:]
        for row in rows { for (k, v) in row { out[k, default: 0] += v } }
        return out.mapValues { $0 / Double(rows.count) }
    }
}
