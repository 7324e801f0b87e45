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

/// The loop every weight-rewriting transform shares: `FineTuner` (AdamW, warm-up + cosine,
/// clipping, optional resumable state) over one step objective, with progress, the loss log
/// and the non-finite rule. `FineTuner` refuses a step whose loss or gradient is not finite
/// before it changes the weights, so on `nonFiniteLoss` the model holds the last good
/// weights (the caller saves them) and no copy of the weights is ever kept.
///
/// Paired transforms (RepNoise, adversarial) use `run(…loss:)`, which draws the seeded
/// (harmful, refusal) batches and adds the retain term; forget/retain transforms
/// (unlearning) build their own step objective over `ForgetRetainBatches` and call `runSteps`.
public enum HardenTrainer {
    /// Builds one step's loss from its paired batch: the loss tensor and its parts.
    public typealias PairedLoss = (_ batch: PairedBatch, _ step: TrainingStep) throws -> (loss: Tensor, metrics: [String: Double])
    /// One step's whole objective: the loss, tokens processed and the loss parts (put the
    /// total under "loss").
    public typealias StepObjective = (_ step: TrainingStep) throws -> StepLoss

    /// The paired loop: seeded (harmful, refusal) batches plus the weighted retain term.
    @discardableResult
    public static func run(model: any CausalLanguageModel, encoding: TextEncoding, data: HardenData, settings: HardenTraining,
                           stateFolder: URL? = nil, saveEvery: Int? = nil, lossLog: URL? = nil,
                           log: @escaping (String) -> Void = { _ in },
                           loss pairedLoss: PairedLoss) throws -> HardenSummary {
        try settings.validate()
        let batches = try HardenBatches(encoding: encoding, data: data, settings: settings)
        return try runSteps(model: model, settings: settings, stateFolder: stateFolder, saveEvery: saveEvery, lossLog: lossLog,
                            log: log) { step in
            let batch = try batches.pairedBatch(step: step.step)
            var (loss, metrics) = try pairedLoss(batch, step)
            var tokens = batch.harmfulReal.filter { $0 }.count + batch.refusalReal.filter { $0 }.count
            if let rb = try batches.retainBatch(step: step.step) {
                let (ce, _) = try model.loss(try TokenBatch(rb), labels: rb.labels.map(Int.init))
                metrics["retain_ce"] = Double(try ce.item())
                loss = try loss + ce * Float(settings.retainWeight)
                tokens += rb.attentionMask.reduce(0) { $0 + Int($1) }
            }
            metrics["loss"] = Double(try loss.item())
            return StepLoss(loss: loss, tokens: tokens, metrics: metrics)
        }
    }

    /// The shared loop over any step objective. `isTrainable` narrows what trains (RMU trains
    /// a few MLP projections); nil means the settings' freeze rule.
    @discardableResult
    public static func runSteps(model: any CausalLanguageModel, settings: HardenTraining, isTrainable: ((ModelParameter) -> Bool)? = nil,
                                stateFolder: URL? = nil, saveEvery: Int? = nil, lossLog: URL? = nil,
                                log: @escaping (String) -> Void = { _ in },
                                objective: StepObjective) throws -> HardenSummary {
        try settings.validate()
        let tuner = try FineTuner(model: model, config: settings.trainingConfig(saveEvery: saveEvery), isTrainable: isTrainable ?? settings.isTrainable)
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
            }, loss: objective)
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
