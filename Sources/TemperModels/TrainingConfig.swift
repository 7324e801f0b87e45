import Foundation
import TemperTensor

/// Settings of a `FineTuner` run (AdamW, warm-up + decay schedule, clipping, checkpoints).
/// Codable, so a resumable state records the exact settings it was made with.
public struct TrainingConfig: Codable, Sendable, Equatable {
    public enum Schedule: String, Codable, Sendable, CaseIterable {
        /// Linear warm-up, then constant.
        case constant
        /// Linear warm-up, then linear decay to 0.
        case linear
        /// Linear warm-up, then half-cosine decay to 0 (transformers' default for SFT recipes).
        case cosine
    }

    public var steps: Int
    public var learningRate: Double
    public var warmupSteps: Int
    public var schedule: Schedule
    public var weightDecay: Double
    public var beta1: Double
    public var beta2: Double
    public var eps: Double
    /// Global L2 gradient-norm clip (nil = no clipping).
    public var maxGradNorm: Float?
    /// Seeds batch order (through the loss closure) and every step's RNG.
    public var seed: UInt64
    /// Write resumable state every N steps (nil = only at the end, when a state folder is given).
    public var saveEvery: Int?

    public init(steps: Int, learningRate: Double = 1e-4, warmupSteps: Int = 0, schedule: Schedule = .cosine,
                weightDecay: Double = 0, beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8,
                maxGradNorm: Float? = 1, seed: UInt64 = 0, saveEvery: Int? = nil) {
        self.steps = steps
        self.learningRate = learningRate
        self.warmupSteps = warmupSteps
        self.schedule = schedule
        self.weightDecay = weightDecay
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.maxGradNorm = maxGradNorm
        self.seed = seed
        self.saveEvery = saveEvery
    }

    /// Warm-up as a fraction of the steps (10% in the attack recipes), rounded up.
    public static func warmup(ratio: Double, steps: Int) -> Int { Int((ratio * Double(steps)).rounded(.up)) }

    func validate() throws {
        guard steps > 0 else { throw ModelError.invalidInput(reason: "steps must be positive, got \(steps)") }
        guard learningRate > 0, learningRate.isFinite else { throw ModelError.invalidInput(reason: "learning rate must be positive, got \(learningRate)") }
        guard (0...steps).contains(warmupSteps) else { throw ModelError.invalidInput(reason: "warm-up \(warmupSteps) must be within 0...\(steps) steps") }
        guard weightDecay >= 0, (0..<1).contains(beta1), (0..<1).contains(beta2), eps > 0 else {
            throw ModelError.invalidInput(reason: "AdamW needs weight decay ≥ 0, betas in [0, 1), eps > 0")
        }
        if let maxGradNorm, !(maxGradNorm > 0) { throw ModelError.invalidInput(reason: "max grad norm must be positive, got \(maxGradNorm)") }
        if let saveEvery, saveEvery < 1 { throw ModelError.invalidInput(reason: "save-every must be ≥ 1, got \(saveEvery)") }
    }

    /// The learning-rate multiplier schedule (TemperTensor's transformers-equivalent schedules).
    public var lrSchedule: LRSchedule {
        switch schedule {
        case .constant: return .warmupConstant(warmupSteps: warmupSteps)
        case .linear: return .warmupLinear(warmupSteps: warmupSteps, totalSteps: steps)
        case .cosine: return .warmupCosine(warmupSteps: warmupSteps, totalSteps: steps)
        }
    }

    /// Whether `other` may resume a state made with `self` (everything but `saveEvery` equal).
    func isResumable(as other: TrainingConfig) -> Bool {
        var a = self, b = other
        a.saveEvery = nil
        b.saveEvery = nil
        return a == b
    }
}

/// What the loss closure of a `FineTuner` step is given.
public struct TrainingStep: Sendable {
    /// 0-based step index (also the index into a `BatchSampler`).
    public let step: Int
    /// A seed for this step only, derived from the run's seed and the step, so a resumed run
    /// draws the same random numbers (`TensorRNG(seed: step.seed)`).
    public let seed: UInt64

    public func makeRNG() -> TensorRNG { TensorRNG(seed: seed) }

    /// The per-step seed of step `step` in a run seeded `run` (what `TrainingStep.seed` holds).
    public static func seed(run: UInt64, step: Int) -> UInt64 {
        var z = run &+ UInt64(truncatingIfNeeded: step) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A loss closure's result for one step.
public struct StepLoss {
    /// The scalar to minimise (in the autograd graph of the trainable parameters).
    public var loss: Tensor
    /// Tokens processed (for tokens/s).
    public var tokens: Int
    /// Extra numbers to report (e.g. the parts of a composite loss).
    public var metrics: [String: Double]

    public init(loss: Tensor, tokens: Int, metrics: [String: Double] = [:]) {
        self.loss = loss
        self.tokens = tokens
        self.metrics = metrics
    }
}

/// Reported after every step.
public struct TrainingProgress: Sendable {
    /// Steps completed (1-based).
    public let step: Int
    public let totalSteps: Int
    public let loss: Double
    public let learningRate: Double
    /// Global gradient norm before clipping.
    public let gradientNorm: Double
    public let tokensPerSecond: Double
    public let elapsedSeconds: Double
    public let etaSeconds: Double
    public let metrics: [String: Double]
}

public struct TrainingSummary: Sendable {
    /// Step the run started from (0, or the resumed state's step).
    public let startStep: Int
    public let steps: Int
    /// Loss of every step of this run.
    public let losses: [Double]
    public let tokens: Int
    public let seconds: Double
}
