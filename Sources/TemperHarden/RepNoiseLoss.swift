import TemperModels
import TemperTensor

/// The ablations the RepNoise paper reports.
public struct RepNoiseSwitches: Codable, Sendable, Equatable {
    /// Drop the gradient-ascent term on harmful answers.
    public var noAscent = false
    /// Drop the MMD-to-noise term.
    public var noNoise = false
    /// Use every real token instead of the differing answer tokens.
    public var noMask = false
    /// Ascent on the final logits only, without the logit lens over the hidden states.
    public var noLens = false

    public init(noAscent: Bool = false, noNoise: Bool = false, noMask: Bool = false, noLens: Bool = false) {
        self.noAscent = noAscent; self.noNoise = noNoise; self.noMask = noMask; self.noLens = noLens
    }
}

/// One evaluation of the RepNoise loss and its parts (tensors in the autograd graph).
public struct RepNoiseParts {
    public var total: Tensor
    /// CE_masked of the refusals (the reference's `harmless_losses`).
    public var refusalCE: Tensor
    /// mean over blocks of MMD(MLP output on masked tokens, Gaussian noise); nil with noNoise.
    public var noise: Tensor?
    public var noisePerLayer: [Tensor]
    /// CE_masked of the harmful answers on the final logits; nil with noAscent.
    public var harmfulCE: Tensor?
    /// CE_masked of lm_head(norm(h)) for each hidden state of `output_hidden_states`.
    public var lensCE: [Tensor]
    /// The argument of the log: (harmfulCE + Σ lensCE) / (L + 1) + 1; nil with noAscent.
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
        let allTokens = [Bool](repeating: true, count: b * t)
        let ceMask = switches.noMask ? allTokens : batch.mask
        let refusalTargets = try MaskedTokenTargets(ids: batch.refusalIds, real: batch.refusalReal, mask: ceMask, batchSize: b, length: t)
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
            guard output.mlpOutputs.count == model.layerCount, model.layerCount > 0 else {
                throw HardenError.missingLayers(path: model.source.folder.path,
                                                reason: "\(output.mlpOutputs.count) MLP outputs captured for \(model.layerCount) blocks")
            }
            // Noise on the differing answer tokens (every real harmful token with noMask).
            let noiseMask = switches.noMask ? batch.harmfulReal : batch.mask
            let maskTensor = try Tensor(shape: [b, t, 1], values: noiseMask.map { $0 ? 1 : 0 })
            for (layer, hidden) in output.mlpOutputs.enumerated() {
                let h = hidden.shape.last ?? 0
                let source = try (hidden * maskTensor).reshape([b, t * h])
                let sample = try noise(layer, [b, t, h])
                guard sample.shape == [b, t, h] else {
                    throw HardenError.invalidConfig("noise for block \(layer) has shape \(sample.shape), expected \([b, t, h])")
                }
                let target = try (sample.detach() * maskTensor).reshape([b, t * h])
                parts.noisePerLayer.append(try mmd(source, target))
            }
            var sum = parts.noisePerLayer[0]
            for term in parts.noisePerLayer.dropFirst() { sum = try sum + term }
            let mean = sum / Float(parts.noisePerLayer.count)
            parts.noise = mean
            parts.total = try parts.total + mean * beta
        }
        if needAscent {
            let targets = try MaskedTokenTargets(ids: batch.harmfulIds, real: batch.harmfulReal, mask: ceMask, batchSize: b, length: t)
            let harmfulCE = try MaskedTokenLoss.crossEntropy(logits: try requireLogits(output, model), targets: targets, what: "the harmful answers")
            parts.harmfulCE = harmfulCE
            var sum = harmfulCE
            var divisor: Float = 1
            if !switches.noLens {
                let L = model.layerCount
                guard output.residuals.count == L + 1, let final = output.finalHidden else {
                    throw HardenError.missingLayers(path: model.source.folder.path,
                                                    reason: "\(output.residuals.count) residual points captured for \(L) blocks")
                }
                // transformers' hidden_states: embedding, blocks 0..L−2, then the final-normed output.
                for hidden in Array(output.residuals.prefix(L)) + [final] {
                    let ce = try MaskedTokenLoss.crossEntropy(logits: try model.logitLens(hidden), targets: targets, what: "the harmful answers (logit lens)")
                    parts.lensCE.append(ce)
                    sum = try sum + ce
                }
                divisor = Float(L + 1)
            }
            let argument = sum / divisor + 1
            parts.ascentArgument = argument
            parts.total = try parts.total - argument.log() * alpha
        }
        return parts
    }

    private func requireLogits(_ output: ModelOutput, _ model: any CausalLanguageModel) throws -> Tensor {
        guard let logits = output.logits else {
            throw HardenError.missingLayers(path: model.source.folder.path, reason: "the forward pass returned no logits")
        }
        return logits
    }
}
