import Foundation
import TemperFormats
import TemperTensor

// GPT-2 as transformers' `modeling_gpt2.py`: learned absolute positions, pre-LayerNorm
// blocks, fused q/k/v projection, `Conv1D` weights stored [in, out], GELU with the tanh
// approximation (`gelu_new`), lm_head tied to the token embedding.

// MARK: config

/// config.json of a GPT-2 model.
public struct GPT2Config: Sendable, Equatable {
    public var vocabSize: Int
    /// `n_positions`: the learned position table's size, the longest sequence.
    public var maxPositions: Int
    public var hiddenSize: Int
    public var layerCount: Int
    public var headCount: Int
    /// `n_inner`, default 4 × hidden.
    public var innerSize: Int
    public var layerNormEps: Float
    public var tieWordEmbeddings: Bool
    /// Attention scale per layer: head_dim^-0.5 (`scale_attn_weights`), further divided by
    /// layer + 1 with `scale_attn_by_inverse_layer_idx`.
    public var scaleAttentionWeights: Bool
    public var scaleByInverseLayerIndex: Bool
    public var bosTokenId: Int?
    public var eosTokenIds: [Int]
    let activation: Activation

    private struct Raw: Decodable {
        var vocab_size: Int, n_positions: Int, n_embd: Int, n_layer: Int, n_head: Int
        var n_inner: Int?
        var activation_function: String?
        var layer_norm_epsilon: Double?
        var tie_word_embeddings: Bool?
        var scale_attn_weights: Bool?, scale_attn_by_inverse_layer_idx: Bool?
        var add_cross_attention: Bool?
        var bos_token_id: TokenIDList?, eos_token_id: TokenIDList?
    }

    public init(data: Data, path: String) throws {
        let raw = try ConfigFile.decode(Raw.self, from: data, path: path)
        let check = ConfigCheck(path: path)
        vocabSize = raw.vocab_size
        maxPositions = raw.n_positions
        hiddenSize = raw.n_embd
        layerCount = raw.n_layer
        headCount = raw.n_head
        innerSize = raw.n_inner ?? 4 * raw.n_embd
        try check.positive(vocabSize, "vocab_size")
        try check.positive(maxPositions, "n_positions")
        try check.positive(hiddenSize, "n_embd")
        try check.positive(layerCount, "n_layer")
        try check.positive(headCount, "n_head")
        try check.positive(innerSize, "n_inner")
        try check.divides(headCount, hiddenSize, "n_head", "n_embd")
        try check.product([vocabSize, hiddenSize], "vocab_size × n_embd")
        try check.product([maxPositions, hiddenSize], "n_positions × n_embd")
        try check.product([innerSize, hiddenSize, 3], "n_inner × n_embd")
        layerNormEps = Float(raw.layer_norm_epsilon ?? 1e-5)
        try check.positive(layerNormEps, "layer_norm_epsilon")
        let name = raw.activation_function ?? "gelu_new"
        try check.activation(name, field: "activation_function", allowed: ["gelu_new", "gelu_pytorch_tanh", "gelu", "relu", "silu"])
        activation = Activation(rawValue: name) ?? .geluNew
        tieWordEmbeddings = raw.tie_word_embeddings ?? true
        scaleAttentionWeights = raw.scale_attn_weights ?? true
        scaleByInverseLayerIndex = raw.scale_attn_by_inverse_layer_idx ?? false
        if raw.add_cross_attention == true {
            throw ModelError.unsupportedConfig(path: path, field: "add_cross_attention", value: "true")
        }
        bosTokenId = raw.bos_token_id?.ids.first
        eosTokenIds = raw.eos_token_id?.ids ?? []
    }

    public static func load(folder: URL) throws -> GPT2Config {
        let url = ConfigFile.url(in: folder)
        return try GPT2Config(data: try ConfigFile.data(at: url), path: url.path)
    }

    var headDim: Int { hiddenSize / headCount }
}

// MARK: blocks

/// Causal self-attention: one projection to q|k|v, split, attention, output projection.
struct GPT2Attention {
    let qkv: Conv1D, projection: Conv1D
    let heads: Int, headDim: Int, scale: Float

    static func load(_ scope: WeightScope, _ c: GPT2Config, layer: Int) throws -> GPT2Attention {
        var scale = c.scaleAttentionWeights ? Foundation.pow(Double(c.headDim), -0.5) : 1
        if c.scaleByInverseLayerIndex { scale /= Double(layer + 1) }
        return GPT2Attention(qkv: try .load(scope.scope("c_attn"), inputs: c.hiddenSize, outputs: 3 * c.hiddenSize),
                             projection: try .load(scope.scope("c_proj"), inputs: c.hiddenSize, outputs: c.hiddenSize),
                             heads: c.headCount, headDim: c.headDim, scale: Float(scale))
    }

    func callAsFunction(_ x: Tensor, keyMask: [Bool]?, cache: KVCache?, layer: Int) throws -> Tensor {
        let (b, t, hidden) = (x.shape[0], x.shape[1], x.shape[2])
        let parts = try qkv(x).split(axis: 2, sizes: [hidden, hidden, hidden]).map { try $0.reshape([b, t, heads, headDim]) }
        var (key, value) = (parts[1], parts[2])
        if let cache { (key, value) = try cache.append(layer: layer, keys: key, values: value) }
        let attended = try scaledDotProductAttention(query: parts[0], key: key, value: value, causal: true,
                                                     keyMask: keyMask, scale: scale)
        return try projection(attended.reshape([b, t, hidden]))
    }
}

/// c_proj(act(c_fc(x))).
struct GPT2MLP {
    let fc: Conv1D, projection: Conv1D
    let activation: Activation

    static func load(_ scope: WeightScope, _ c: GPT2Config) throws -> GPT2MLP {
        GPT2MLP(fc: try .load(scope.scope("c_fc"), inputs: c.hiddenSize, outputs: c.innerSize),
                projection: try .load(scope.scope("c_proj"), inputs: c.innerSize, outputs: c.hiddenSize),
                activation: c.activation)
    }

    /// The output and the pre-activation c_fc(x).
    func callAsFunction(_ x: Tensor) throws -> (Tensor, Tensor) {
        let pre = try fc(x)
        return (try projection(activation(pre)), pre)
    }
}

/// What every GPT-2 block of one pass shares: the key mask of a padded batch, the KV cache.
struct GPT2Context {
    let keyMask: [Bool]?
    let cache: KVCache?
}

/// h = x + attn(ln_1(x)); out = h + mlp(ln_2(h)).
struct GPT2Block: DecoderBlock {
    let norm1: LayerNorm, attention: GPT2Attention, norm2: LayerNorm, mlp: GPT2MLP

    static func load(_ scope: WeightScope, _ c: GPT2Config, layer: Int) throws -> GPT2Block {
        GPT2Block(norm1: try .load(scope.scope("ln_1", module: .norm), size: c.hiddenSize, eps: c.layerNormEps),
                  attention: try .load(scope.scope("attn", module: .attention), c, layer: layer),
                  norm2: try .load(scope.scope("ln_2", module: .norm), size: c.hiddenSize, eps: c.layerNormEps),
                  mlp: try .load(scope.scope("mlp", module: .mlp), c))
    }

    func callAsFunction(_ x: Tensor, _ c: GPT2Context, layer: Int) throws -> BlockOutput {
        let a = try attention(norm1(x), keyMask: c.keyMask, cache: c.cache, layer: layer)
        let h = try x + a
        let (m, pre) = try mlp(norm2(h))
        return BlockOutput(output: try h + m, attention: a, mlp: m, gate: pre)
    }
}

// MARK: model

/// A GPT-2 causal LM loaded strictly from a Hugging Face folder. Accepts both the
/// `transformer.`-prefixed names transformers writes and the bare names of the original
/// OpenAI conversion; the causal-mask buffers (`attn.bias`, `attn.masked_bias`) some
/// checkpoints carry are skipped.
public final class GPT2Model: CausalLanguageModel {
    public let config: GPT2Config
    public let parameters: [ModelParameter]
    public let source: ModelSource
    public let linearModules: [LinearModule]
    let tokenEmbedding: Embedding
    let positionEmbedding: Embedding
    let stack: DecoderStack<GPT2Block>
    var blocks: [GPT2Block] { stack.blocks }
    let finalNorm: LayerNorm
    let head: Tensor

    public static func load(_ url: URL) throws -> GPT2Model {
        let checkpoint = try Checkpoint.open(url)
        return try GPT2Model(config: try GPT2Config.load(folder: checkpoint.root), checkpoint: checkpoint)
    }

    public init(config c: GPT2Config, checkpoint: Checkpoint) throws {
        let loader = WeightLoader(checkpoint: checkpoint)
        let buffers: (String) -> Bool = { $0.hasSuffix(".attn.bias") || $0.hasSuffix(".attn.masked_bias") }
        try loader.requireMemory(ignoring: buffers)
        let base = loader.contains("transformer.wte.weight") ? loader.root.scope("transformer") : loader.root
        tokenEmbedding = try .load(base.scope("wte"), count: c.vocabSize, dim: c.hiddenSize)
        positionEmbedding = try .load(base.scope("wpe"), count: c.maxPositions, dim: c.hiddenSize)
        stack = DecoderStack(blocks: try (0..<c.layerCount).map { try GPT2Block.load(base.block("h", index: $0), c, layer: $0) },
                             hiddenSize: c.hiddenSize)
        finalNorm = try .load(base.scope("ln_f", module: .norm), size: c.hiddenSize, eps: c.layerNormEps)
        head = c.tieWordEmbeddings ? tokenEmbedding.weight
            : try loader.root.scope("lm_head", module: .head).tensor("weight", shape: [c.vocabSize, c.hiddenSize])
        source = try loader.finish(ignoring: buffers)
        parameters = loader.parameters
        let bare = !loader.contains("transformer.wte.weight")
        linearModules = bare ? loader.linearModules.map { $0.named(withPrefix: "transformer.") } : loader.linearModules
        config = c
    }

    public var modelType: String { "gpt2" }
    public var vocabSize: Int { config.vocabSize }
    public var hiddenSize: Int { config.hiddenSize }
    public var layerCount: Int { config.layerCount }
    public var maxPositions: Int? { config.maxPositions }
    public var bosTokenId: Int? { config.bosTokenId }
    public var eosTokenIds: [Int] { config.eosTokenIds }

    public func forward(_ tokens: TokenBatch, options: ForwardOptions, cache: KVCache?) throws -> ModelOutput {
        try tokens.check(vocabSize: config.vocabSize)
        let (b, t) = (tokens.batchSize, tokens.length)
        let past = try DecoderInput.past(tokens, cache: cache)
        guard past + t <= config.maxPositions else {
            throw ModelError.invalidInput(reason: "\(past + t) positions exceed GPT-2's n_positions = \(config.maxPositions)")
        }
        let context = GPT2Context(keyMask: tokens.hasPadding ? tokens.attentionMask : nil, cache: cache)
        return try stack.forward(tokens, options: options, cache: cache, context: context, embed: {
            let positions = try positionEmbedding(Array(past..<(past + t)), batch: 1, length: t)
            return try tokenEmbedding(tokens.ids, batch: b, length: t) + positions
        }) { h in
            let final = try finalNorm(h)
            return (final, try DecoderInput.logits(final, head: head, bias: nil, options.logits))
        }
    }

    public var lmHeadWeight: Tensor { head }
    public func lensProjection(_ hidden: Tensor) throws -> (input: Tensor, head: Tensor) { (try finalNorm(hidden), head) }
}
