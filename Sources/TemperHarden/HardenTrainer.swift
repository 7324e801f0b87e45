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
/// term on harmless rows. The weights at the start of every step are kept in memory; when the
/// loss or the weights stop being finite, the run restores them and throws
/// `HardenError.nonFiniteLoss` (the caller saves them as the last good checkpoint).
public enum HardenTrainer {
    /// Builds one step's loss from its paired batch: the loss tensor and its parts.
    public typealias PairedLoss = (_ batch: PairedBatch, _ step: TrainingStep) throws -> (loss: Tensor, metrics: [String: Double])

    @discardableResult
    public static func run(model: any CausalLanguageModel, tokenizer: Tokenizer, data: HardenData, settings: HardenTraining,
                           stateFolder: URL? = nil, saveEvery: Int? = nil, log: @escaping (String) -> Void = { _ in },
                           loss pairedLoss: PairedLoss) throws -> HardenSummary {
        try settings.validate()
        guard let pad = tokenizer.padTokenId, let pad32 = Int32(exactly: pad) else {
            throw HardenError.invalidConfig("the tokenizer \(tokenizer.source) has no pad token")
        }
        let paired = try PairedData.examples(rows: data.harmful, tokenizer: tokenizer, maxLength: settings.maxLength)
        let sampler = try BatchSampler(count: paired.count, batchSize: min(settings.batchSize, paired.count), seed: settings.seed)
        var retain: (examples: [Example], sampler: BatchSampler)?
        if settings.retainWeight > 0 {
            guard !data.retain.isEmpty else { throw HardenError.emptyData("a retain weight of \(settings.retainWeight) needs retain rows") }
            let encoder = try ExampleEncoder(tokenizer: tokenizer, maxLength: settings.maxLength)
            let examples = try data.retain.map { try encoder.encode(prompt: $0.prompt, response: $0.response) }
            retain = (examples, try BatchSampler(count: examples.count, batchSize: min(settings.retainBatchSize, examples.count),
                                                 seed: settings.seed &+ 0x5E7A_1B))
        }
        let tuner = try FineTuner(model: model, config: settings.trainingConfig(saveEvery: saveEvery), isTrainable: settings.isTrainable)
        if let stateFolder, FileManager.default.fileExists(atPath: stateFolder.appendingPathComponent("trainer.json").path) {
            try tuner.resume(from: stateFolder)
            log("resumed from \(stateFolder.path) at step \(tuner.step)")
        }
        let tensors = tuner.trainable.map(\.tensor)
        var lastGood: [[Float]] = tensors.map { $0.toArray() }
        var history: [[String: Double]] = []
        let every = max(1, settings.steps / 20)
        func fail(_ step: Int, _ detail: String) -> HardenError {
            for (tensor, values) in zip(tensors, lastGood) {
                tensor.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: values) }
            }
            return HardenError.nonFiniteLoss(step: step, detail: detail, lastGood: nil)
        }
        let summary = try tuner.run(stateFolder: stateFolder, progress: { p in
            history.append(p.metrics)
            guard p.step % every == 0 || p.step == p.totalSteps || p.step == 1 else { return }
            let parts = p.metrics.keys.sorted().filter { $0 != "loss" }.map { String(format: "%@ %.4f", $0, p.metrics[$0] ?? 0) }
            log(String(format: "step %d/%d loss %.4f  %@  lr %.2e |g| %.3f  eta %.0f s", p.step, p.totalSteps, p.loss,
                       parts.joined(separator: "  "), p.learningRate, p.gradientNorm, p.etaSeconds))
        }) { step in
            // The weights entering this step: keep them while they are finite.
            for (i, tensor) in tensors.enumerated() {
                let finite = tensor.withUnsafeBufferPointer { $0.allSatisfy(\.isFinite) }
                guard finite else { throw fail(step.step, "parameter \(tuner.trainable[i].name) became non-finite in step \(step.step)") }
            }
            for (i, tensor) in tensors.enumerated() {
                tensor.withUnsafeBufferPointer { source in lastGood[i].withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: source) } }
            }
            let batch = try sampler.makePairedBatch(step: step.step, examples: paired, padId: pad)
            var (loss, metrics) = try pairedLoss(batch, step)
            var tokens = batch.harmfulReal.filter { $0 }.count + batch.refusalReal.filter { $0 }.count
            if let retain {
                let rb = try retain.sampler.makeBatch(step: step.step, examples: retain.examples, padId: pad32)
                let (ce, _) = try model.loss(try TokenBatch(rb), labels: rb.labels.map(Int.init))
                metrics["retain_ce"] = Double(try ce.item())
                loss = try loss + ce * Float(settings.retainWeight)
                tokens += rb.attentionMask.reduce(0) { $0 + Int($1) }
            }
            let value = try loss.item()
            metrics["loss"] = Double(value)
            guard value.isFinite else {
                let parts = metrics.keys.sorted().map { "\($0) \(metrics[$0] ?? 0)" }.joined(separator: ", ")
                throw fail(step.step, "the loss is \(value) (\(parts))")
            }
            return StepLoss(loss: loss, tokens: tokens, metrics: metrics)
        }
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
