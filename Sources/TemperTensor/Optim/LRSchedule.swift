import Foundation

/// Learning-rate multipliers per step, as Hugging Face transformers' schedules
/// (`get_cosine_schedule_with_warmup`, `get_linear_schedule_with_warmup`, …). Step 0 is
/// the first optimizer step; set `optimizer.learningRate = schedule.learningRate(...)`.
public enum LRSchedule: Sendable, Equatable {
    case constant
    /// Linear warm-up from 0, then constant.
    case warmupConstant(warmupSteps: Int)
    /// Linear warm-up, then linear decay to 0 at `totalSteps`.
    case warmupLinear(warmupSteps: Int, totalSteps: Int)
    /// Linear warm-up, then cosine decay (`cycles` = 0.5 is one half-cosine to 0), floored
    /// at `minRate` of the base rate (transformers' cosine_with_min_lr when > 0).
    case warmupCosine(warmupSteps: Int, totalSteps: Int, cycles: Double = 0.5, minRate: Double = 0)

    /// The multiplier λ(step) of the base learning rate.
    public func factor(at step: Int) -> Double {
        switch self {
        case .constant:
            return 1
        case let .warmupConstant(warmup):
            return step < warmup ? Double(step) / Double(max(1, warmup)) : 1
        case let .warmupLinear(warmup, total):
            if step < warmup { return Double(step) / Double(max(1, warmup)) }
            return max(0, Double(total - step) / Double(max(1, total - warmup)))
        case let .warmupCosine(warmup, total, cycles, minRate):
            if step < warmup { return Double(step) / Double(max(1, warmup)) }
            let progress = Double(step - warmup) / Double(max(1, total - warmup))
            let cosine = 0.5 * (1 + Foundation.cos(Double.pi * cycles * 2 * progress))
            return max(0, cosine * (1 - minRate) + minRate)
        }
    }

    public func learningRate(base: Double, step: Int) -> Double { base * factor(at: step) }
}
