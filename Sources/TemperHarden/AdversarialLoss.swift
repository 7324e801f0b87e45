import TemperModels
import TemperTensor

/// One evaluation of the adversarial loss and its parts.
public struct AdversarialParts {
    public var total: Tensor
    public var refusalCE: Tensor
    public var harmfulCE: Tensor

    public func metrics() throws -> [String: Double] {
        ["refusal_ce": Double(try refusalCE.item()), "harmful_ce": Double(try harmfulCE.item())]
    }
}

/// The adversarial-loss immunization baseline (METHODS.md §5) as the immunization
/// reference's `adversarial_loss` branch computes it:
/// `L = CE_m(refusal) − a · CE_m(harmful)`, both with the reference's masked cross-entropy
/// over the tokens where the padded harmful and refusal ids differ (a = 0.1).
public struct AdversarialLoss {
    public var adversarialAlpha: Float
    /// Score every real token instead of the differing ones.
    public var noMask: Bool

    public init(adversarialAlpha: Float = 0.1, noMask: Bool = false) {
        self.adversarialAlpha = adversarialAlpha
        self.noMask = noMask
    }

    public func callAsFunction(model: any CausalLanguageModel, batch: PairedBatch) throws -> AdversarialParts {
        let (b, t) = (batch.batchSize, batch.length)
        let mask = noMask ? [Bool](repeating: true, count: b * t) : batch.mask
        let refusalTargets = try MaskedTokenTargets(ids: batch.refusalIds, real: batch.refusalReal, mask: mask, batchSize: b, length: t)
        let harmfulTargets = try MaskedTokenTargets(ids: batch.harmfulIds, real: batch.harmfulReal, mask: mask, batchSize: b, length: t)
        guard let refusalLogits = try model.forward(try batch.refusalTokens()).logits,
              let harmfulLogits = try model.forward(try batch.harmfulTokens()).logits else {
            throw HardenError.missingLayers(path: model.source.folder.path, reason: "the forward pass returned no logits")
        }
        let refusalCE = try MaskedTokenLoss.crossEntropy(logits: refusalLogits, targets: refusalTargets, what: "the refusals")
        let harmfulCE = try MaskedTokenLoss.crossEntropy(logits: harmfulLogits, targets: harmfulTargets, what: "the harmful answers")
        return AdversarialParts(total: try refusalCE - harmfulCE * adversarialAlpha, refusalCE: refusalCE, harmfulCE: harmfulCE)
    }
}
