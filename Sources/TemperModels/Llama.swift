import Foundation
import TemperFormats
import TemperTensor

// The Llama family as transformers' `modeling_llama.py` (also `mistral` and `qwen2`, which
// differ only in biases and defaults): RMSNorm, rotary embeddings with `rotate_half`,
// grouped-query attention, SwiGLU MLP, tied or untied lm_head.

// MARK: config

/// config.json of a Llama-family model.
public struct LlamaConfig: Sendable, Equatable {
    public var modelType: String
    public var vocabSize: Int
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var layerCount: Int
    public var headCount: Int
    public var kvHeadCount: Int
    /// `head_dim` when given, else hidden_size / num_attention_heads.
    public var headDim: Int
    public var rmsNormEps: Float
    public var rope: RoPEConfig
    public var maxPositions: Int
    public var tieWordEmbeddings: Bool
    /// Biases on q/k/v (qwen2 always; llama with `attention_bias`), on o (llama
    /// `attention_bias`) and on the MLP projections (llama `mlp_bias`).
    public var qkvBias: Bool, outputBias: Bool, mlpBias: Bool
    /// Mistral's sliding window: sequences longer than this are rejected (not implemented).
    public var slidingWindow: Int?
    public var bosTokenId: Int?
    public var eosTokenIds: [Int]

    public static let modelTypes = ["llama", "mistral", "qwen2"]

    /// Decodes and validates config.json bytes; `path` names the file in errors.
    public init(data: Data, path: String) throws {
        // The one config.json decoder (TemperFormats LlamaConfigJSON, also read by the GGUF export).
        let raw = try ConfigFile.decode(LlamaConfigJSON.self, from: data, path: path)
        let check = ConfigCheck(path: path)
        guard let type = raw.model_type else { throw ModelError.invalidConfigField(path: path, field: "model_type", reason: "missing") }
        guard Self.modelTypes.contains(type) else {
            throw ModelError.unsupportedModelType(path: path, modelType: type)
        }
        modelType = type
        vocabSize = raw.vocab_size
        hiddenSize = raw.hidden_size
        intermediateSize = raw.intermediate_size
        layerCount = raw.num_hidden_layers
        headCount = raw.num_attention_heads
        kvHeadCount = raw.num_key_value_heads ?? raw.num_attention_heads
        try check.positive(vocabSize, "vocab_size")
        try check.positive(hiddenSize, "hidden_size")
        try check.positive(intermediateSize, "intermediate_size")
        try check.positive(layerCount, "num_hidden_layers")
        try check.positive(headCount, "num_attention_heads")
        try check.positive(kvHeadCount, "num_key_value_heads")
        try check.divides(kvHeadCount, headCount, "num_key_value_heads", "num_attention_heads")
        if let given = raw.head_dim {
            headDim = given
        } else {
            try check.divides(headCount, hiddenSize, "num_attention_heads", "hidden_size")
            headDim = hiddenSize / headCount
        }
        try check.positive(headDim, "head_dim")
        guard headDim % 2 == 0 else { throw ModelError.invalidConfigField(path: path, field: "head_dim", reason: "must be even for RoPE, got \(headDim)") }
        try check.product([vocabSize, hiddenSize], "vocab_size × hidden_size")
        try check.product([headCount, headDim, hiddenSize], "num_attention_heads × head_dim × hidden_size")
        try check.product([intermediateSize, hiddenSize], "intermediate_size × hidden_size")
        rmsNormEps = Float(raw.rms_norm_eps ?? 1e-6)
        try check.positive(rmsNormEps, "rms_norm_eps")
        maxPositions = raw.max_position_embeddings ?? 2048
        rope = try RoPEConfig(parameters: raw.rope_parameters, scaling: raw.rope_scaling, topLevelTheta: raw.rope_theta,
                              maxPositions: maxPositions, path: path)
        tieWordEmbeddings = raw.tie_word_embeddings ?? false
        try check.activation(raw.hidden_act ?? "silu", field: "hidden_act", allowed: ["silu"])
        let isQwen = modelType == "qwen2"
        qkvBias = isQwen || (raw.attention_bias ?? false)
        outputBias = !isQwen && (raw.attention_bias ?? false)
        mlpBias = raw.mlp_bias ?? false
        if isQwen, raw.use_sliding_window == true {
            throw ModelError.unsupportedConfig(path: path, field: "use_sliding_window", value: "true")
        }
        slidingWindow = modelType == "mistral" ? raw.sliding_window : nil
        bosTokenId = raw.bos_token_id?.ids.first
        eosTokenIds = raw.eos_token_id?.ids ?? []
    }

    /// Reads `config.json` from a model folder.
    public static func load(folder: URL) throws -> LlamaConfig {
        let url = ConfigFile.url(in: folder)
        return try LlamaConfig(data: try ConfigFile.data(at: url), path: url.path)
    }
}

// MARK: blocks

/// Grouped-query self-attention with rotary embeddings.
struct LlamaAttention {
    let q: Linear, k: Linear, v: Linear, o: Linear
    let heads: Int, kvHeads: Int, headDim: Int

    static func load(_ scope: WeightScope, _ c: LlamaConfig) throws -> LlamaAttention {
        let (h, qSize, kvSize) = (c.hiddenSize, c.headCount * c.headDim, c.kvHeadCount * c.headDim)
        return LlamaAttention(
            q: try .load(scope.scope("q_proj"), inputs: h, outputs: qSize, bias: c.qkvBias),
            k: try .load(scope.scope("k_proj"), inputs: h, outputs: kvSize, bias: c.qkvBias),
            v: try .load(scope.scope("v_proj"), inputs: h, outputs: kvSize, bias: c.qkvBias),
            o: try .load(scope.scope("o_proj"), inputs: qSize, outputs: h, bias: c.outputBias),
            heads: c.headCount, kvHeads: c.kvHeadCount, headDim: c.headDim)
    }

    func callAsFunction(_ x: Tensor, rope: RoPETable, keyMask: [Bool]?, cache: KVCache?, layer: Int) throws -> Tensor {
        let (b, t) = (x.shape[0], x.shape[1])
        let qkv = try Linear.apply([q, k, v], to: x)
        let query = try qkv[0].reshape([b, t, heads, headDim]).rope(rope)
        var key = try qkv[1].reshape([b, t, kvHeads, headDim]).rope(rope)
        var value = try qkv[2].reshape([b, t, kvHeads, headDim])
        if let cache { (key, value) = try cache.append(layer: layer, keys: key, values: value) }
        let scale = Float(Foundation.pow(Double(headDim), -0.5))
        let attended = try scaledDotProductAttention(query: query, key: key, value: value, causal: true,
                                                     keyMask: keyMask, scale: scale)
        return try o(attended.reshape([b, t, heads * headDim]))
    }
}

/// down(silu(gate(x)) · up(x)).
struct LlamaMLP {
    let gate: Linear, up: Linear, down: Linear

    static func load(_ scope: WeightScope, _ c: LlamaConfig) throws -> LlamaMLP {
        LlamaMLP(gate: try .load(scope.scope("gate_proj"), inputs: c.hiddenSize, outputs: c.intermediateSize, bias: c.mlpBias),
                 up: try .load(scope.scope("up_proj"), inputs: c.hiddenSize, outputs: c.intermediateSize, bias: c.mlpBias),
                 down: try .load(scope.scope("down_proj"), inputs: c.intermediateSize, outputs: c.hiddenSize, bias: c.mlpBias))
    }

    /// The output and the gate pre-activation gate(x).
    func callAsFunction(_ x: Tensor) throws -> (Tensor, Tensor) {
        let gu = try Linear.apply([gate, up], to: x)
        return (try down(try gu[0].silu() * gu[1]), gu[0])
    }
}

/// What every Llama block of one pass shares: the rotary table of its positions, the key mask
/// of a padded batch, the KV cache.
struct LlamaContext {
    let rope: RoPETable
    let keyMask: [Bool]?
    let cache: KVCache?
}

/// Pre-norm decoder block: h = x + attn(norm(x)); out = h + mlp(norm(h)).
struct LlamaBlock: DecoderBlock {
    let inputNorm: RMSNorm, attention: LlamaAttention, postAttentionNorm: RMSNorm, mlp: LlamaMLP

    static func load(_ scope: WeightScope, _ c: LlamaConfig) throws -> LlamaBlock {
        LlamaBlock(inputNorm: try .load(scope.scope("input_layernorm", module: .norm), size: c.hiddenSize, eps: c.rmsNormEps),
                   attention: try .load(scope.scope("self_attn", module: .attention), c),
                   postAttentionNorm: try .load(scope.scope("post_attention_layernorm", module: .norm), size: c.hiddenSize, eps: c.rmsNormEps),
                   mlp: try .load(scope.scope("mlp", module: .mlp), c))
    }

    func callAsFunction(_ x: Tensor, _ c: LlamaContext, layer: Int) throws -> BlockOutput {
        let a = try attention(inputNorm(x), rope: c.rope, keyMask: c.keyMask, cache: c.cache, layer: layer)
        let h = try x + a
        let (m, gate) = try mlp(postAttentionNorm(h))
        return BlockOutput(output: try h + m, attention: a, mlp: m, gate: gate)
    }
}

// MARK: model

/// A Llama-family causal LM loaded strictly from a Hugging Face folder.
public final class LlamaModel: CausalLanguageModel {
    public let config: LlamaConfig
    public let parameters: [ModelParameter]
    public let source: ModelSource
    public let linearModules: [LinearModule]
    let embed: Embedding
    let stack: DecoderStack<LlamaBlock>
    var blocks: [LlamaBlock] { stack.blocks }
    let norm: RMSNorm
    /// lm_head weight [vocab, hidden]: the embedding matrix itself when tied.
    let head: Tensor
    /// Its Q8_0 blocks for the int8 inference path, when loaded from a Q8_0 GGUF with `int8`.
    let quantizedHead: Q8_0Matrix?

    /// Loads a folder (or safetensors file / index) with config.json beside the weights, or
    /// a llama.cpp GGUF (see `ModelLocation`).
    /// With `int8`, Q8_0 weights of a GGUF also stay as Q8_0 for inference (`Q8_0Weights`).
    public static func load(_ url: URL, int8: Bool = false) throws -> LlamaModel {
        let (folder, weights) = try ModelLocation.weights(url)
        let gguf = (weights as? GGUFWeights)?.url
        return try LlamaModel(config: try LlamaConfig.load(folder: folder), source: weights,
                              quantized: try Q8_0Weights.load(int8: int8, gguf: gguf))
    }

    public convenience init(config c: LlamaConfig, checkpoint: Checkpoint) throws {
        try self.init(config: c, source: CheckpointWeights(checkpoint), quantized: [:])
    }

    init(config c: LlamaConfig, source weights: any WeightSource, quantized: [String: Q8_0Matrix]) throws {
        let loader = WeightLoader(source: weights, quantized: quantized)
        // `rotary_emb.inv_freq` is a buffer old checkpoints saved; it is recomputed here.
        let buffers: (String) -> Bool = { $0.hasSuffix("rotary_emb.inv_freq") }
        try loader.requireMemory(ignoring: buffers)
        // Causal-LM checkpoints nest the base model under `model.`; a bare LlamaModel does not.
        let base = loader.contains("model.embed_tokens.weight") ? loader.root.scope("model") : loader.root
        embed = try .load(base.scope("embed_tokens"), count: c.vocabSize, dim: c.hiddenSize)
        stack = DecoderStack(blocks: try (0..<c.layerCount).map { try LlamaBlock.load(base.block("layers", index: $0), c) },
                             hiddenSize: c.hiddenSize)
        norm = try .load(base.scope("norm", module: .norm), size: c.hiddenSize, eps: c.rmsNormEps)
        head = c.tieWordEmbeddings ? embed.weight
            : try loader.root.scope("lm_head", module: .head).tensor("weight", shape: [c.vocabSize, c.hiddenSize])
        quantizedHead = loader.quantized(c.tieWordEmbeddings ? base.name("embed_tokens.weight") : "lm_head.weight",
                                         outputs: c.vocabSize, inputs: c.hiddenSize)
        source = try loader.finish(ignoring: buffers)
        parameters = loader.parameters
        let bare = !loader.contains("model.embed_tokens.weight")
        linearModules = bare ? loader.linearModules.map { $0.named(withPrefix: "model.") } : loader.linearModules
        config = c
    }

    public var modelType: String { config.modelType }
    public var vocabSize: Int { config.vocabSize }
    public var hiddenSize: Int { config.hiddenSize }
    public var layerCount: Int { config.layerCount }
    public var maxPositions: Int? { nil }
    public var bosTokenId: Int? { config.bosTokenId }
    public var eosTokenIds: [Int] { config.eosTokenIds }

    public func forward(_ tokens: TokenBatch, options: ForwardOptions, cache: KVCache?) throws -> ModelOutput {
        try tokens.check(vocabSize: config.vocabSize)
        let (b, t) = (tokens.batchSize, tokens.length)
        let past = try DecoderInput.past(tokens, cache: cache)
        if let window = config.slidingWindow, past + t > window {
            throw ModelError.invalidInput(reason: "\(past + t) positions exceed the sliding window \(window) (not implemented)")
        }
        let rope = try config.rope.table(headDim: config.headDim, positions: Array(past..<(past + t)))
        let context = LlamaContext(rope: rope, keyMask: tokens.hasPadding ? tokens.attentionMask : nil, cache: cache)
        return try stack.forward(tokens, options: options, cache: cache, context: context,
                                 embed: { try embed(tokens.ids, batch: b, length: t) }) { h in
            let final = try norm(h)
            return (final, try DecoderInput.logits(final, head: head, quantized: quantizedHead, options.logits))
        }
    }

    public var lmHeadWeight: Tensor { head }
    public func lensProjection(_ hidden: Tensor) throws -> (input: Tensor, head: Tensor) { (try norm(hidden), head) }
}

/// Input handling shared by the decoder architectures.
enum DecoderInput {
    /// Positions already in the cache, after checking the cache fits the call.
    static func past(_ tokens: TokenBatch, cache: KVCache?) throws -> Int {
        guard let cache else { return 0 }
        guard cache.batchSize == tokens.batchSize else {
            throw ModelError.invalidInput(reason: "KV cache is for batch \(cache.batchSize), tokens have batch \(tokens.batchSize)")
        }
        guard !tokens.hasPadding else {
            throw ModelError.invalidInput(reason: "an attention mask with padding cannot be combined with a KV cache")
        }
        return cache.length
    }

    /// lm_head over every position or only the last one.
    static func logits(_ final: Tensor, head: Tensor, bias: Tensor?, _ which: ForwardOptions.Logits) throws -> Tensor? {
        switch which {
        case .none: return nil
        case .all: return try linear(final, weight: head, bias: bias)
        case .last:
            let t = final.shape[1]
            return try linear(final.slice(axis: 1, (t - 1)..<t), weight: head, bias: bias)
        }
    }
}
