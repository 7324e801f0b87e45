import Foundation
import TemperModels
import TemperTensor
import TemperText

/// The forget terms of the unlearning methods (METHODS.md §7), one function per formula, each
/// naming the reference file it follows. Batches are `Batch`es of response-only labels
/// (-100 on bos, prompt and padding), as `ForgetRetainBatches` draws them.
public enum UnlearnLoss {
    /// Response-only mean cross-entropy, transformers' `model(**inputs).loss` (the quantity
    /// `locuslab/open-unlearning` src/trainer/unlearn/grad_ascent.py negates and
    /// grad_diff.py's `compute_retain_loss` "NLL" adds).
    public static func crossEntropy(_ model: any CausalLanguageModel, _ batch: Batch) throws -> Tensor {
        try model.loss(try TokenBatch(batch), labels: batch.labels.map(Int.init)).loss
    }

    /// Σ log π(y|x) over each row's response tokens, [batch]: the negative of
    /// open-unlearning src/trainer/utils.py `compute_batch_nll`.
    public static func sequenceLogProbability(_ model: any CausalLanguageModel, _ batch: Batch) throws -> Tensor {
        let tokens = try TokenBatch(batch)
        guard let logits = try model.forward(tokens, options: ForwardOptions()).logits else {
            throw HardenError.invalidConfig("the forward pass returned no logits")
        }
        return try LanguageModelLoss.sequenceLogProbabilities(logits: logits, labels: batch.labels.map(Int.init))
    }

    /// NPO (Zhang et al. 2024) as open-unlearning src/trainer/utils.py `compute_dpo_loss`
    /// with `win_inputs=None` (src/trainer/unlearn/npo.py): with r = log π_θ(y|x) − log π_ref(y|x),
    /// loss = −(2/β)·mean logσ(−β·r), which is (2/β)·mean log(1 + (π_θ/π_ref)^β).
    /// `reference` is the frozen start model; its log-probs carry no gradient.
    public static func npo(_ model: any CausalLanguageModel, reference: any CausalLanguageModel, _ batch: Batch, beta: Double) throws -> Tensor {
        let current = try sequenceLogProbability(model, batch)
        let frozen = try noGrad { try sequenceLogProbability(reference, batch) }.detach()
        let ratio = try current - frozen
        return try (ratio * Float(-beta)).logSigmoid().mean() * Float(-2 / beta)
    }

    /// SimNPO (Fan et al. 2024) as open-unlearning src/trainer/unlearn/simnpo.py: with
    /// ℓ = −log π_θ(y|x) / |y| − δ (|y| the row's labelled tokens),
    /// loss = −(2/β)·mean logσ(β·ℓ). No reference model.
    public static func simNPO(_ model: any CausalLanguageModel, _ batch: Batch, beta: Double, delta: Double) throws -> Tensor {
        let logProbability = try sequenceLogProbability(model, batch)
        let lengths = (0..<batch.batchSize).map { row in Float(batch.labels(row: row).filter { $0 != Example.ignoreIndex }.count) }
        guard lengths.allSatisfy({ $0 > 0 }) else { throw HardenError.emptyBatchMask(what: "a SimNPO forget row") }
        let perToken = try (-logProbability) / Tensor(shape: [batch.batchSize], values: lengths)
        return try ((perToken - Float(delta)) * Float(beta)).logSigmoid().mean() * Float(-2 / beta)
    }

    /// The residual stream after block `layer`, [batch, length, hidden] (the output of
    /// `model.layers[layer]` that centerforaisafety/wmdp rmu/utils.py `forward_with_cache` hooks).
    public static func residual(_ model: any CausalLanguageModel, _ batch: Batch, layer: Int) throws -> Tensor {
        let output = try model.forward(try TokenBatch(batch), options: ForwardOptions(captureResiduals: true, stopAfterBlock: layer, logits: .none))
        guard let h = output.residual(afterBlock: layer) else {
            throw HardenError.missingLayers(path: model.source.folder.path, reason: "no residual captured after block \(layer)")
        }
        return h
    }

    /// Mean over real tokens and hidden units of (a − b)², where b broadcasts to a
    /// [batch, length, hidden]: `torch.nn.functional.mse_loss` as centerforaisafety/wmdp
    /// rmu/unlearn.py applies it, restricted to the attention mask (the reference also averages
    /// over its padding; with a mask the padding a batch happens to need changes nothing).
    public static func maskedMSE(_ a: Tensor, _ b: Tensor, attention: [Int32]) throws -> Tensor {
        guard a.rank == 3, attention.count == a.shape[0] * a.shape[1] else {
            throw HardenError.invalidConfig("residual \(a.shape) does not match \(attention.count) mask entries")
        }
        let real = attention.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
        guard real > 0 else { throw HardenError.emptyBatchMask(what: "an RMU batch (no real tokens)") }
        let mask = try Tensor(shape: [a.shape[0], a.shape[1], 1], values: attention.map { $0 != 0 ? 1 : 0 })
        let squared = try ((a - b).square() * mask).sum()
        return squared / Float(real * a.shape[2])
    }

    /// RMU's two terms (Li et al. 2024; centerforaisafety/wmdp rmu/unlearn.py `run_rmu`):
    /// forget = MSE(h_l(forget), c·u), retain = MSE(h_l(retain), h_l^frozen(retain)); the caller
    /// weights retain by α. `control` is c·u, [hidden].
    public static func rmu(_ model: any CausalLanguageModel, frozen: any CausalLanguageModel, forget: Batch, retain: Batch,
                           layer: Int, control: Tensor) throws -> (forget: Tensor, retain: Tensor) {
        let forgetLoss = try maskedMSE(try residual(model, forget, layer: layer), control, attention: forget.attentionMask)
        let held = try noGrad { try residual(frozen, retain, layer: layer) }.detach()
        let retainLoss = try maskedMSE(try residual(model, retain, layer: layer), held, attention: retain.attentionMask)
        return (forgetLoss, retainLoss)
    }

    /// RMU's steering direction u: uniform [0, 1) per unit (torch.rand in the reference, not
    /// Gaussian), normalised to unit length; a function of the seed only.
    public static func steeringDirection(hidden: Int, seed: UInt64) throws -> Tensor {
        var rng = TensorRNG(seed: seed)
        let u = try Tensor.uniform([hidden], rng: &rng)
        let norm = u.toArray().reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
        guard norm > 0 else { throw HardenError.invalidConfig("the steering draw is all zeros") }
        return u / Float(norm)
    }

    /// Mean L2 norm over real tokens of the residual after block `layer` (no gradient): the
    /// scale RMU's default steering coefficient is set against.
    public static func meanResidualNorm(_ model: any CausalLanguageModel, _ batch: Batch, layer: Int) throws -> Double {
        let h = try noGrad { try residual(model, batch, layer: layer) }
        let values = h.toArray(), width = h.shape[2]
        var total = 0.0, count = 0
        for (position, keep) in batch.attentionMask.enumerated() where keep != 0 {
            let row = values[(position * width)..<((position + 1) * width)]
            total += row.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
            count += 1
        }
        guard count > 0 else { throw HardenError.emptyBatchMask(what: "the RMU norm batch (no real tokens)") }
        return total / Double(count)
    }
}
