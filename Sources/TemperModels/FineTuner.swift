import Foundation
import TemperFormats
import TemperTensor
import TemperText

/// The training loop every weight-rewriting method shares: for each step, zero gradients,
/// call the loss closure, back-propagate, clip, set the scheduled learning rate, take an
/// AdamW step, report progress, and save resumable state every `saveEvery` steps.
///
/// The loss is a closure so that supervised fine-tuning, the fine-tuning attack, RepNoise,
/// NPO, RMU and LAT all reuse the same loop. A closure that needs gradients of its own
/// (an inner adversary) must use `gradients(of:wrt:)`, which leaves `.grad` alone.
public final class FineTuner {
    public let model: any CausalLanguageModel
    public let config: TrainingConfig
    /// The parameters being trained (the others are frozen: `requiresGrad = false`).
    public let trainable: [ModelParameter]
    public let optimizer: AdamW
    /// Steps completed so far (after a resume, the state's step).
    public private(set) var step = 0

    /// Marks the parameters `isTrainable` accepts as trainable and freezes the rest.
    public init(model: any CausalLanguageModel, config: TrainingConfig,
                isTrainable: (ModelParameter) -> Bool = { _ in true }) throws {
        try config.validate()
        self.model = model
        self.config = config
        trainable = model.parameters.setTrainable(where: isTrainable)
        guard !trainable.isEmpty else { throw ModelError.invalidInput(reason: "no trainable parameters") }
        try Self.requireMemory(trainable, model: model)
        optimizer = AdamW(parameters: trainable.map(\.tensor), learningRate: config.learningRate,
                          betas: (config.beta1, config.beta2), eps: config.eps, weightDecay: config.weightDecay)
    }

    /// Restores weights, optimizer moments and the step from a state folder written by
    /// `saveState` (or by `run` with a state folder). The state must come from the same
    /// settings (except `saveEvery`) and the same trainable parameters.
    public func resume(from folder: URL) throws {
        let names = trainable.map(\.name)
        let (header, state) = try TrainingState.load(from: folder, into: model.parameters)
        let path = folder.appendingPathComponent("trainer.json").path
        guard header.config.isResumable(as: config) else {
            throw ModelError.invalidTrainingState(path: path, reason: "it was made with other training settings")
        }
        guard header.trainable == names else {
            throw ModelError.invalidTrainingState(path: path, reason: "it trains other parameters")
        }
        guard (0...config.steps).contains(header.step) else {
            throw ModelError.invalidTrainingState(path: path, reason: "step \(header.step) is outside 0...\(config.steps)")
        }
        do { try optimizer.load(state) } catch {
            throw ModelError.invalidTrainingState(path: folder.appendingPathComponent("optimizer.bin").path, reason: error.localizedDescription)
        }
        step = header.step
    }

    /// Refuses (`FormatError.insufficientMemory`) a run whose optimizer state cannot fit:
    /// a gradient and two AdamW moments, f32, per trainable element (the weights themselves
    /// are already loaded, so they are not counted again). Activations, the backward graph
    /// and saved states come on top, so this is a lower bound.
    static func requireMemory(_ trainable: [ModelParameter], model: any CausalLanguageModel) throws {
        let needed = MemoryBudget.f32Bytes(trainable.elementCount).flatMap { CheckedMath.product($0, 3) }
        try MemoryBudget.require(needed, for: "training \(trainable.elementCount) parameters (gradients and two AdamW moments, f32)",
                                 path: model.source.url.path)
    }

    /// Whether `folder` holds a state written by `saveState`.
    public static func hasSavedState(at folder: URL) -> Bool { TrainingState.exists(at: folder) }

    /// Writes the current weights, optimizer state and step (atomically, as one folder).
    public func saveState(to folder: URL) throws {
        try TrainingState.save(to: folder, step: step, config: config, parameters: model.parameters,
                               trainable: trainable.map(\.name), optimizer: optimizer.state())
    }

    /// Runs the remaining steps (only up to step `until` when given, to split a run into
    /// parts). With `stateFolder`, state is saved every `saveEvery` steps and after the last
    /// step run.
    @discardableResult
    public func run(stateFolder: URL? = nil, until: Int? = nil, progress: ((TrainingProgress) -> Void)? = nil,
                    loss: (TrainingStep) throws -> StepLoss) throws -> TrainingSummary {
        let start = step
        let end = min(until ?? config.steps, config.steps)
        let clock = ContinuousClock.now
        var losses: [Double] = []
        var tokens = 0
        let schedule = config.lrSchedule
        let tensors = trainable.map(\.tensor)
        while step < end {
            optimizer.zeroGrad()
            let result = try withGrad { try loss(TrainingStep(step: step, seed: TrainingStep.seed(run: config.seed, step: step))) }
            let value = Double(try result.loss.item())
            guard value.isFinite else { throw ModelError.nonFiniteLoss(step: step, detail: "the loss is \(value)\(Self.describe(result.metrics))") }
            try result.loss.backward()
            // An infinite limit measures the norm without scaling anything. A non-finite norm
            // means a non-finite gradient: the step is refused before it touches the weights,
            // so they stay the last good ones (no copy of the weights is kept).
            let norm = clipGradNorm(tensors, maxNorm: config.maxGradNorm ?? .infinity)
            guard norm.isFinite else {
                optimizer.zeroGrad()
                throw ModelError.nonFiniteLoss(step: step, detail: "the gradient norm is \(norm)\(Self.describe(result.metrics))")
            }
            optimizer.learningRate = schedule.learningRate(base: config.learningRate, step: step)
            try optimizer.step()
            let rate = optimizer.learningRate
            optimizer.zeroGrad()
            step += 1
            losses.append(value)
            tokens += result.tokens
            if let stateFolder, let every = config.saveEvery, step % every == 0, step < end {
                try saveState(to: stateFolder)
            }
            if let progress {
                let elapsed = Self.seconds(since: clock)
                let done = step - start
                progress(TrainingProgress(step: step, totalSteps: config.steps, loss: value, learningRate: rate,
                                          gradientNorm: Double(norm), tokensPerSecond: elapsed > 0 ? Double(tokens) / elapsed : 0,
                                          elapsedSeconds: elapsed, etaSeconds: elapsed / Double(done) * Double(config.steps - step),
                                          metrics: result.metrics))
            }
        }
        if let stateFolder { try saveState(to: stateFolder) }
        return TrainingSummary(startStep: start, steps: step - start, losses: losses, tokens: tokens,
                               seconds: Self.seconds(since: clock))
    }

    static func describe(_ metrics: [String: Double]) -> String {
        metrics.isEmpty ? "" : " (" + metrics.keys.sorted().map { "\($0) \(metrics[$0] ?? 0)" }.joined(separator: ", ") + ")"
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double { start.secondsElapsed }
}

extension FineTuner {
    /// The supervised loss closure: step s trains on `sampler`'s batch s of `examples`
    /// (right-padded with `padId`), mean cross-entropy on the labelled (response) tokens.
    public static func responseLoss(model: any CausalLanguageModel, examples: [Example], sampler: BatchSampler,
                                    padId: Int) throws -> (TrainingStep) throws -> StepLoss {
        guard let pad = Int32(exactly: padId) else { throw ModelError.invalidInput(reason: "pad id \(padId) exceeds Int32") }
        return { step in
            let batch = try sampler.makeBatch(step: step.step, examples: examples, padId: pad)
            let (loss, _) = try model.loss(try TokenBatch(batch), labels: batch.labels.map(Int.init))
            return StepLoss(loss: loss, tokens: batch.attentionMask.reduce(0) { $0 + Int($1) })
        }
    }
}
