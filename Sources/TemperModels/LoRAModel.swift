import Foundation
import TemperTensor

/// A base causal LM with a LoRA adapter attached, unmerged: forward passes add the adapter's
/// deltas, `parameters` are the base's followed by the adapter's (so a `FineTuner` with
/// `adapter.owns` as its predicate trains the adapter and freezes the base), and the rest is
/// the base model's.
public final class LoRAModel: CausalLanguageModel {
    public let base: any CausalLanguageModel
    public let adapter: LoRAAdapter
    public let parameters: [ModelParameter]

    /// Attaches `adapter` to `base`.
    public init(base: any CausalLanguageModel, adapter: LoRAAdapter) {
        self.base = base
        self.adapter = adapter
        parameters = base.parameters + adapter.parameters
        adapter.attach()
    }

    public var modelType: String { base.modelType }
    public var vocabSize: Int { base.vocabSize }
    public var hiddenSize: Int { base.hiddenSize }
    public var layerCount: Int { base.layerCount }
    public var maxPositions: Int? { base.maxPositions }
    public var bosTokenId: Int? { base.bosTokenId }
    public var eosTokenIds: [Int] { base.eosTokenIds }
    public var source: ModelSource { base.source }
    public var linearModules: [LinearModule] { base.linearModules }

    public func forward(_ tokens: TokenBatch, options: ForwardOptions, cache: KVCache?) throws -> ModelOutput {
        try base.forward(tokens, options: options, cache: cache)
    }

    public var lmHeadWeight: Tensor { base.lmHeadWeight }
    public func lensProjection(_ hidden: Tensor) throws -> (input: Tensor, head: Tensor) { try base.lensProjection(hidden) }
}

extension ModelRegistry {
    /// A decoder model with the PEFT adapter in `adapter` attached (unmerged) when given.
    public static func loadCausalLM(_ url: URL, adapter: URL?, int8: Bool = false) throws -> any CausalLanguageModel {
        let model = try loadCausalLM(url, int8: int8)
        guard let adapter else { return model }
        return LoRAModel(base: model, adapter: try LoRAAdapter.load(folder: adapter, for: model))
    }
}
