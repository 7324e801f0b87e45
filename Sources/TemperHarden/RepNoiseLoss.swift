import TemperModels
import TemperTensor

/// The ablations the RepNoise paper reports, as the reference code's `training.py` branches
/// define them (boyiwei/RepNoise-Reproduce, `minimality-mmd-no-ascent`, `-no-noise`,
/// `-without-lens`, `-without-mask`, `-without-mask-and-lens`).
public struct RepNoiseSwitches: Codable, Sendable, Equatable {
    /// Drop the gradient-ascent term on harmful answers.
    public var noAscent = false
    /// Drop the MMD-to-noise term.
    public var noNoise = false
    /// HF-style causal-LM CE over every real token for the final harmful and the refusal CE,
    /// noise on every position; the logit-lens terms stay on the differing answer tokens.
    public var noMask = false
    /// Ascent `−α·log(CE(harmful))` on the final logits only: no logit lens, no +1.
    public var noLens = false

    public init(noAscent: Bool = false, noNoise: Bool = false, noMask: Bool = false, noLens: Bool = false) {
        self.noAscent = noAscent; self.noNoise = noNoise; self.noMask = noMask; self.noLens = noLens
    }
}

/// One evaluation of the RepNoise loss and its parts (tensors in the autograd graph).
public struct RepNoiseParts {
    public var total: Tensor
    /// CE of the refusals (the reference's `harmless_losses`): masked, or HF-style with noMask.
    public var refusalCE: Tensor
    /// mean over blocks of MMD(MLP output, Gaussian noise); nil with noNoise.
    public var noise: Tensor?
    public var noisePerLayer: [Tensor]
    /// CE of the harmful answers on the final logits (masked, or HF-style with noMask); nil with noAscent.
    public var harmfulCE: Tensor?
    /// CE_masked of lm_head(norm(h)) for each hidden state of `output_hidden_states`; empty with noLens.
    public var lensCE: [Tensor]
    /// The argument of the log: (harmfulCE + Σ lensCE) / (L + 1) + 1, or harmfulCE alone
    /// with noLens; nil with noAscent.
    public var ascentArgument: Tensor?

    /// The parts as numbers (for progress lines and step metrics).
    public func metrics() throws -> [String: Double] {
        var m = ["refusal_ce": Double(try refusalCE.item())]
        if let noise { m["noise_mmd"] = Double(try noise.item()) }
        if let harmfulCE { m["harmful_ce"] = Double(try harmfulCE.item()) }
        if let ascentArgument { m["ascent_argument"] = Double(try ascentArgument.item()) }
        return m
    }
}

/// Draws the Gaussian samples the noise term compares against, from a seeded RNG.
public final class GaussianNoise {
    private var rng: TensorRNG

    public init(seed: UInt64) { rng = TensorRNG(seed: seed) }

    public func sample(layer: Int, shape: [Int]) throws -> Tensor { try Tensor.randn(shape, rng: &rng) }
}

/// The RepNoise loss (Rosati et al. 2024) as the reference `rep_noise_loss` computes it:
///
///     L = CE_m(refusal) + β · mean_l MMD(mlp_l(harmful) ⊙ m, N(0, I) ⊙ m)
///         − α · log( (CE_m(harmful) + Σ_{h ∈ hidden_states} CE_m(lm_head(norm(h)))) / (L + 1) + 1 )
///
/// with m the mask of positions where the padded harmful and refusal ids differ, CE_m the
/// reference's masked cross-entropy (`MaskedTokenLoss`), MLP outputs and noise flattened per
/// example ([batch, length·hidden], zero outside the mask), and `hidden_states` as
/// transformers returns them: the embedding output, the outputs of blocks 0..L−2, and the
/// final-normed output of the last block (so the last lens term applies the final norm twice).
/// Two deliberate departures from METHODS.md §4, both the reference's: the ascent sum has
/// L + 2 terms over a divisor of L + 1, and the lens uses those `hidden_states`.
///
/// The ablations follow the reference branches term by term:
/// - noLens (`-without-lens`): the ascent is `−α·log(CE_m(harmful))`, no lens, no +1;
/// - noMask (`-without-mask`): the final harmful CE and the refusal CE are the HF causal-LM
///   loss (`model(ids, labels=ids).loss`) and the noise term compares unmasked MLP outputs
///   with unmasked noise on every position, padding included; the lens CEs stay CE_m and the
///   argument keeps `/ (L + 1) + 1`. One deviation: the reference's labels include the
///   padding positions; here the HF-style CE scores real tokens only (padding is never scored);
/// - both (`-without-mask-and-lens`): HF-style CEs, unmasked noise, `−α·log(CE(harmful))`.
public struct RepNoiseLoss {
    public var alpha: Float
    public var beta: Float
    public var switches: RepNoiseSwitches
    public var mmd = GaussianMMD()

    public init(alpha: Float = 1, beta: Float = 0.001, switches: RepNoiseSwitches = RepNoiseSwitches()) {
        self.alpha = alpha; self.beta = beta; self.switches = switches
    }

    /// `noise(layer, shape)` supplies the Gaussian sample for block `layer` ([batch, length, hidden]).
    public func callAsFunction(model: any CausalLanguageModel, batch: PairedBatch,
                               noise: (_ layer: Int, _ shape: [Int]) throws -> Tensor) throws -> RepNoiseParts {
        let (b, t) = (batch.batchSize, batch.length)
        // With every position in the mask, MaskedTokenTargets is the HF causal-LM loss over
        // the real tokens: each real next token is a target and no logits are zeroed.
        let finalMask = switches.noMask ? [Bool](repeating: true, count: b * t) : batch.mask
        let refusalTargets = try MaskedTokenTargets(ids: batch.refusalIds, real: batch.refusalReal, mask: finalMask, batchSize: b, length: t)
        let refusalLogits = try requireLogits(model.forward(try batch.refusalTokens()), model)
        let refusalCE = try MaskedTokenLoss.crossEntropy(logits: refusalLogits, targets: refusalTargets, what: "the refusals")
        var parts = RepNoiseParts(total: refusalCE, refusalCE: refusalCE, noise: nil, noisePerLayer: [],
                                  harmfulCE: nil, lensCE: [], ascentArgument: nil)
        let needNoise = !switches.noNoise, needAscent = !switches.noAscent
        guard needNoise || needAscent else { return parts }

        let options = ForwardOptions(captureResiduals: needAscent && !switches.noLens, captureMLPOutputs: needNoise,
                                     logits: needAscent ? .all : .none)
        let output = try model.forward(try batch.harmfulTokens(), options: options)
        if needNoise {
            let term = try noiseTerm(output, model: model, batch: batch, noise: noise)
            parts.noisePerLayer = term.perLayer
            parts.noise = term.mean
            parts.total = try parts.total + term.mean * beta
        }
        if needAscent {
            let targets = try MaskedTokenTargets(ids: batch.harmfulIds, real: batch.harmfulReal, mask: finalMask, batchSize: b, length: t)
            let harmfulCE = try MaskedTokenLoss.crossEntropy(logits: try requireLogits(output, model), targets: targets, what: "the harmful answers")
            parts.harmfulCE = harmfulCE
            var argument = harmfulCE
            if !switches.noLens {
                let L = model.layerCount
                guard output.residuals.count == L + 1, let final = output.finalHidden else {
                    throw HardenError.missingLayers(path: model.source.folder.path,
                                                    reason: "\(output.residuals.count) residual points captured for \(L) blocks")
                }
                // The lens terms use the differing-token mask in every branch of the reference.
                let lensTargets = switches.noMask
                    ? try MaskedTokenTargets(ids: batch.harmfulIds, real: batch.harmfulReal, mask: batch.mask, batchSize: b, length: t)
                    : targets
                var sum = harmfulCE
                // transformers' hidden_states: embedding, blocks 0..L−2, then the final-normed output.
                for hidden in Array(output.residuals.prefix(L)) + [final] {
                    let ce = try MaskedTokenLoss.lensCrossEntropy(model: model, hidden: hidden, targets: lensTargets,
                                                                 what: "the harmful answers (logit lens)")
                    parts.lensCE.append(ce)
                    sum = try sum + ce
                }
                // The reference's `harmful_losses / len(hidden_states) + 1`.
                argument = sum / Float(L + 1) + 1
            }
            parts.ascentArgument = argument
            parts.total = try parts.total - argument.log() * alpha
        }
        return parts
    }

    /// The per-block MMDs between the MLP outputs on the harmful answers and the noise, and
    /// their mean: masked to the differing tokens, or on every position with noMask.
    private func noiseTerm(_ output: ModelOutput, model: any CausalLanguageModel, batch: PairedBatch,
                           noise: (_ layer: Int, _ shape: [Int]) throws -> Tensor) throws -> (perLayer: [Tensor], mean: Tensor) {
        let (b, t) = (batch.batchSize, batch.length)
        guard output.mlpOutputs.count == model.layerCount, model.layerCount > 0 else {
            throw HardenError.missingLayers(path: model.source.folder.path,
                                            reason: "\(output.mlpOutputs.count) MLP outputs captured for \(model.layerCount) blocks")
        }
        let mask = switches.noMask ? nil : try Tensor(shape: [b, t, 1], values: batch.mask.map { $0 ? 1 : 0 })
        var perLayer: [Tensor] = []
        for (layer, hidden) in output.mlpOutputs.enumerated() {
            let h = hidden.shape.last ?? 0
            let sample = try noise(layer, [b, t, h])
            guard sample.shape == [b, t, h] else {
                throw HardenError.invalidConfig("noise for block \(layer) has shape \(sample.shape), expected \([b, t, h])")
            }
            let source = try (mask.map { try hidden * $0 } ?? hidden).reshape([b, t * h])
            let target = try (mask.map { try sample.detach() * $0 } ?? sample.detach()).reshape([b, t * h])
            perLayer.append(try mmd(source, target))
        }
        var sum = perLayer[0]
        for term in perLayer.dropFirst() { sum = try sum + term }
        return (perLayer, sum / Float(perLayer.count))
    }

    private func requireLogits(_ output: ModelOutput, _ model: any CausalLanguageModel) throws -> Tensor {
        guard let logits = output.logits else {
            throw HardenError.missingLayers(path: model.source.folder.path, reason: "the forward pass returned no logits")
        }
        return logits
    }
}
