import Foundation
import TemperModels
import TemperTensor

/// Which next-token predictions the reference's `masked_token_ce_loss` scores, for one
/// token sequence [batch, length] and a position mask.
///
/// The reference shifts (logits at t predict the token at t + 1), multiplies the labels by
/// `mask[t + 1]` and the logits by `mask[t]`, and ignores labels equal to 0. So:
/// - a prediction counts when `mask[t + 1]` holds and the token at t + 1 is real (the
///   reference's "label 0 → ignore", 0 being the pad id of its tokenizers and of the world);
/// - when `mask[t]` does not hold (the first differing answer token, right after the shared
///   prompt) its logits are zeroed, so its cross-entropy is the constant log V and it sends
///   no gradient; it still counts in the mean.
public struct MaskedTokenTargets: Sendable, Equatable {
    /// One target per position (-100 where no full-logit loss is taken).
    public let targets: [Int]
    /// Counted predictions whose logits the reference zeroes.
    public let zeroedLogits: Int
    /// All counted predictions (the divisor of the mean).
    public let count: Int

    public init(ids: [Int], real: [Bool], mask: [Bool], batchSize: Int, length: Int) throws {
        let total = batchSize * length
        guard batchSize > 0, length > 0, ids.count == total, real.count == total, mask.count == total else {
            throw HardenError.invalidConfig("masked targets: \(ids.count) ids, \(real.count) flags, \(mask.count) mask entries for \(batchSize) × \(length)")
        }
        var targets = [Int](repeating: MaskedTokenLoss.ignoreIndex, count: total)
        var zeroed = 0, count = 0
        for row in 0..<batchSize {
            let base = row * length
            for t in 0..<(length - 1) {
                let next = base + t + 1
                guard mask[next], real[next] else { continue }
                count += 1
                if mask[base + t] { targets[base + t] = ids[next] } else { zeroed += 1 }
            }
        }
        self.targets = targets
        zeroedLogits = zeroed
        self.count = count
    }
}

public enum MaskedTokenLoss {
    public static let ignoreIndex = -100

    /// Mean cross-entropy over the counted predictions of `logits` [batch, length, vocab].
    /// `what` names the sequence in the error thrown when nothing is counted (the reference
    /// would return NaN there).
    public static func crossEntropy(logits: Tensor, targets: MaskedTokenTargets, what: String) throws -> Tensor {
        guard targets.count > 0 else { throw HardenError.emptyBatchMask(what: what) }
        guard let vocab = logits.shape.last, logits.count == targets.targets.count * vocab else {
            throw HardenError.invalidConfig("logits \(logits.shape) do not match \(targets.targets.count) targets")
        }
        let sum = try TemperTensor.crossEntropy(logits, targets: targets.targets, ignoreIndex: ignoreIndex, reduction: .sum)
        return try mean(sum, targets, vocab: vocab)
    }

    /// The same mean for the logit lens of `hidden` [batch, length, hidden] (chunked through
    /// the vocabulary: no [positions × vocab] logits are kept, `linearCrossEntropy`).
    public static func lensCrossEntropy(model: any CausalLanguageModel, hidden: Tensor, targets: MaskedTokenTargets,
                                        what: String) throws -> Tensor {
        guard targets.count > 0 else { throw HardenError.emptyBatchMask(what: what) }
        let projection = try model.lensProjection(hidden)
        guard projection.input.count == targets.targets.count * projection.head.shape[1] else {
            throw HardenError.invalidConfig("hidden states \(hidden.shape) do not match \(targets.targets.count) targets")
        }
        let sum = try linearCrossEntropy(projection.input, weight: projection.head, targets: targets.targets,
                                         ignoreIndex: ignoreIndex, reduction: .sum)
        return try mean(sum, targets, vocab: projection.head.shape[0])
    }

    /// (Σ CE + zeroed·log V) / counted: a zeroed logit row's cross-entropy is log V.
    private static func mean(_ sum: Tensor, _ targets: MaskedTokenTargets, vocab: Int) throws -> Tensor {
        let constant = Float(Double(targets.zeroedLogits) * Foundation.log(Double(vocab)))
        return (sum + constant) / Float(targets.count)
    }
}
