import Foundation
import TemperModels
import TemperTensor

/// Which next-token predictions a latent-adversarial loss scores on one token sequence
/// [batch, length]: the completion tokens (from each row's prompt length on, real tokens
/// only), as the reference's `logits[:, :-1][labels_mask[:, 1:]]` selects them
/// (aengusl/latent-adversarial-training, latent_at/lat_helpers.py `compute_toward_away_loss`).
public struct CompletionTargets: Sendable, Equatable {
    /// Flat indices b·length + t of the predicting positions (t predicts the token at t + 1).
    public let positions: [Int]
    /// The token each selected position predicts.
    public let labels: [Int]

    public init(ids: [Int], real: [Bool], promptLengths: [Int], batchSize: Int, length: Int) throws {
        guard batchSize > 0, length > 0, ids.count == batchSize * length, real.count == ids.count, promptLengths.count == batchSize else {
            throw HardenError.invalidConfig("completion targets: \(ids.count) ids, \(real.count) flags, \(promptLengths.count) prompt lengths for \(batchSize) × \(length)")
        }
        var positions: [Int] = [], labels: [Int] = []
        for row in 0..<batchSize {
            let base = row * length
            for t in 0..<(length - 1) where t + 1 >= promptLengths[row] && real[base + t + 1] {
                positions.append(base + t)
                labels.append(ids[base + t + 1])
            }
        }
        self.positions = positions
        self.labels = labels
    }

    /// The selected rows of logits [batch, length, vocab]: [count, vocab].
    func select(_ logits: Tensor, what: String) throws -> Tensor {
        guard !positions.isEmpty else { throw HardenError.emptyBatchMask(what: what) }
        guard logits.rank == 3, let vocab = logits.shape.last else {
            throw HardenError.invalidConfig("logits \(logits.shape) are not [batch, length, vocab]")
        }
        return try logits.reshape([logits.count / vocab, vocab]).indexSelect(axis: 0, positions)
    }
}

/// The token-level losses of targeted LAT, each following one reference function.
public enum LATTerms {
    /// The reference's `log_1_minus_p_loss` threshold: tokens with log p below it add 0.
    public static let awayThreshold: Float = -5

    /// Mean cross-entropy of the selected predictions (`F.cross_entropy`, the "toward" loss).
    public static func toward(logits: Tensor, targets: CompletionTargets, what: String) throws -> Tensor {
        try crossEntropy(try targets.select(logits, what: what), targets: targets.labels, reduction: .mean)
    }

    /// −Σ log(1 − p(label)) / count over the selected predictions, the "away" loss, as
    /// HarmBench's `log_1_minus_p_loss` (latent_at/utils.py): log(1 − p) is the log-sum-exp
    /// of the log-probabilities without the label's, so it stays exact as p → 1; a
    /// prediction whose log p is below −5 contributes 0 (no gradient) but still counts.
    public static func away(logits: Tensor, targets: CompletionTargets, what: String) throws -> Tensor {
        let z = try targets.select(logits, what: what)
        let (n, vocab) = (z.shape[0], z.shape[1])
        guard vocab > 1 else { throw HardenError.invalidConfig("log(1 − p) needs at least two tokens in the vocabulary") }
        let logProbs = try z.logSoftmax(axis: 1)
        let logP = try tokenLogProbabilities(z, targets: targets.labels)
        // log Σ_{j≠y} p_j = A_k − logsoftmax(A + M)_k for any k ≠ y, with A the log-probabilities
        // and M = −1e10 at the label (the reference's masked logits).
        var masked = [Float](repeating: 0, count: n * vocab), pick = masked
        var other = [Int](repeating: 0, count: n), keep = [Float](repeating: 0, count: n)
        let logPValues = logP.toArray()
        for (i, y) in targets.labels.enumerated() {
            masked[i * vocab + y] = -1e10
            other[i] = y == 0 ? 1 : 0
            pick[i * vocab + other[i]] = 1
            keep[i] = logPValues[i] < awayThreshold ? 0 : 1
        }
        let shifted = try logProbs + Tensor(shape: [n, vocab], values: masked)
        let anchor = try (logProbs * Tensor(shape: [n, vocab], values: pick)).sum(axis: 1)
        let logOneMinusP = try anchor - tokenLogProbabilities(shifted, targets: other)
        return try (logOneMinusP * Tensor(shape: [n], values: keep)).sum() * Float(-1.0 / Double(n))
    }

    /// The reference's KL penalty (latent_at/lat_helpers.py `do_defense_step`, "kl"):
    /// `1000 · F.kl_div(log_softmax(initial), softmax(current), reduction="sum")`
    /// = 1000 · Σ_positions Σ_v p (log p − log p₀) over the completion positions themselves
    /// (`logits[labels_mask]`, not shifted). `initial` is the frozen model's logits.
    public static let klScale: Float = 1000

    public static func kl(logits: Tensor, initial: Tensor, positions: [Int], what: String) throws -> Tensor {
        guard !positions.isEmpty else { throw HardenError.emptyBatchMask(what: what) }
        guard logits.shape == initial.shape, logits.rank == 3, let vocab = logits.shape.last else {
            throw HardenError.invalidConfig("KL: logits \(logits.shape) vs initial \(initial.shape)")
        }
        let rows = logits.count / vocab
        let current = try logits.reshape([rows, vocab]).indexSelect(axis: 0, positions).logSoftmax(axis: 1)
        let base = try noGrad { try initial.detach().reshape([rows, vocab]).indexSelect(axis: 0, positions).logSoftmax(axis: 1) }
        return try (current.exp() * (current - base)).sum() * klScale
    }
}

/// The loss coefficients of one side of targeted LAT, as the reference's dictionaries
/// (`adv_loss_coefs`, `def_loss_coefs`); `ProjectedGradLAT` divides them by their sum
/// (`normalize_dict`), and so does `normalized`.
public struct LATCoefficients: Codable, Sendable, Equatable {
    public var toward: Double
    public var away: Double
    /// Cross-entropy on benign rows without the perturbation (model side only).
    public var sft: Double
    /// KL to the initial model on benign rows without the perturbation (model side only).
    public var kl: Double

    public init(toward: Double, away: Double, sft: Double = 0, kl: Double = 0) {
        self.toward = toward; self.away = away; self.sft = sft; self.kl = kl
    }

    public var sum: Double { toward + away + sft + kl }

    /// Each coefficient over their sum.
    public var normalized: LATCoefficients {
        let s = sum
        return LATCoefficients(toward: toward / s, away: away / s, sft: sft / s, kl: kl / s)
    }

    func validate(_ side: String) throws {
        for (name, v) in [("toward", toward), ("away", away), ("sft", sft), ("kl", kl)] {
            try HardenError.require(v >= 0 && v.isFinite, "\(side) \(name) coefficient", v, "must be finite and ≥ 0")
        }
        try HardenError.require(sum > 0, "\(side) coefficients", sum, "need at least one positive coefficient")
    }
}

/// The two sequences of a paired batch as LAT scores them: the unwanted completion (the
/// batch's harmful side) and the desired one (its refusal side).
public struct LATBatch {
    public let pairs: PairedBatch
    public let unwanted: CompletionTargets
    public let desired: CompletionTargets

    public init(_ pairs: PairedBatch) throws {
        self.pairs = pairs
        unwanted = try CompletionTargets(ids: pairs.harmfulIds, real: pairs.harmfulReal, promptLengths: pairs.promptLengths,
                                         batchSize: pairs.batchSize, length: pairs.length)
        desired = try CompletionTargets(ids: pairs.refusalIds, real: pairs.refusalReal, promptLengths: pairs.promptLengths,
                                        batchSize: pairs.batchSize, length: pairs.length)
    }

    /// The positions the adversary perturbs: the prompt, plus both completions with
    /// `completions` (the reference's `add_completions_pgd`), as a [batch, length] mask.
    public func attackMask(completions: Bool) -> [Bool] {
        let (b, t) = (pairs.batchSize, pairs.length)
        return (0..<(b * t)).map { i in
            let real = pairs.harmfulReal[i] || pairs.refusalReal[i]
            return real && (completions || i % t < pairs.promptLengths[i / t])
        }
    }
}

/// One evaluation of a toward/away loss (either side) and its parts.
public struct LATParts {
    public var total: Tensor
    public var toward: Tensor?
    public var away: Tensor?

    public func metrics(prefix: String) throws -> [String: Double] {
        var m: [String: Double] = [:]
        if let toward { m[prefix + "toward"] = Double(try toward.item()) }
        if let away { m[prefix + "away"] = Double(try away.item()) }
        return m
    }
}

/// `compute_toward_away_loss` (latent_at/lat_helpers.py) with normalized coefficients:
/// the adversary goes toward the unwanted completion and away from the desired one
/// (`do_adversary_step`: adv_tokens toward, def_tokens away); the model goes toward the
/// desired and away from the unwanted (`do_defense_step`). Terms with coefficient 0 are skipped.
public enum LATTowardAway {
    public static func adversary(unwantedLogits: () throws -> Tensor, desiredLogits: () throws -> Tensor,
                                 batch: LATBatch, coefficients c: LATCoefficients) throws -> LATParts {
        try combine(towardLogits: unwantedLogits, towardTargets: batch.unwanted, awayLogits: desiredLogits,
                    awayTargets: batch.desired, coefficients: c, what: ("the unwanted completions", "the desired completions"))
    }

    public static func model(unwantedLogits: () throws -> Tensor, desiredLogits: () throws -> Tensor,
                             batch: LATBatch, coefficients c: LATCoefficients) throws -> LATParts {
        try combine(towardLogits: desiredLogits, towardTargets: batch.desired, awayLogits: unwantedLogits,
                    awayTargets: batch.unwanted, coefficients: c, what: ("the desired completions", "the unwanted completions"))
    }

    private static func combine(towardLogits: () throws -> Tensor, towardTargets: CompletionTargets,
                                awayLogits: () throws -> Tensor, awayTargets: CompletionTargets,
                                coefficients c: LATCoefficients, what: (String, String)) throws -> LATParts {
        var parts = LATParts(total: Tensor(scalar: 0), toward: nil, away: nil)
        if c.toward > 0 {
            let t = try LATTerms.toward(logits: try towardLogits(), targets: towardTargets, what: what.0)
            parts.toward = t
            parts.total = try parts.total + t * Float(c.toward)
        }
        if c.away > 0 {
            let a = try LATTerms.away(logits: try awayLogits(), targets: awayTargets, what: what.1)
            parts.away = a
            parts.total = try parts.total + a * Float(c.away)
        }
        return parts
    }
}
