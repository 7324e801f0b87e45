import Foundation
import TemperFormats
import TemperTensor
import TemperText

// BERT as transformers' `modeling_bert.py`: word + token-type + absolute position
// embeddings with LayerNorm, post-LayerNorm encoder blocks (bidirectional attention with a
// padding mask, GELU-erf MLP), tanh pooler; and the mean-pooled sentence embedding that
// sentence-transformers' `Pooling(mode="mean")` computes.

// MARK: config

/// config.json of a BERT encoder.
public struct BERTConfig: Sendable, Equatable {
    public var vocabSize: Int
    public var hiddenSize: Int
    public var layerCount: Int
    public var headCount: Int
    public var intermediateSize: Int
    public var maxPositions: Int
    public var typeVocabSize: Int
    public var layerNormEps: Float
    public var padTokenId: Int?
    /// RoBERTa (`model_type` roberta) numbers real tokens from padding_idx + 1 (fairseq's
    /// make_positions) and gives padding padding_idx (= pad_token_id); nil = BERT, from 0.
    public var positionPaddingIndex: Int?
    let activation: Activation

    /// The longest input: max_position_embeddings less RoBERTa's padding_idx + 1 offset.
    public var maxLength: Int { maxPositions - (positionPaddingIndex.map { $0 + 1 } ?? 0) }

    private struct Raw: Decodable {
        var vocab_size: Int, hidden_size: Int, num_hidden_layers: Int, num_attention_heads: Int
        var intermediate_size: Int, max_position_embeddings: Int
        var type_vocab_size: Int?
        var layer_norm_eps: Double?
        var hidden_act: String?
        var position_embedding_type: String?
        var is_decoder: Bool?
        var pad_token_id: Int?
        var model_type: String?
    }

    public init(data: Data, path: String) throws {
        let raw = try ConfigFile.decode(Raw.self, from: data, path: path)
        let check = ConfigCheck(path: path)
        vocabSize = raw.vocab_size
        hiddenSize = raw.hidden_size
        layerCount = raw.num_hidden_layers
        headCount = raw.num_attention_heads
        intermediateSize = raw.intermediate_size
        maxPositions = raw.max_position_embeddings
        typeVocabSize = raw.type_vocab_size ?? 2
        try check.positive(vocabSize, "vocab_size")
        try check.positive(hiddenSize, "hidden_size")
        try check.positive(layerCount, "num_hidden_layers")
        try check.positive(headCount, "num_attention_heads")
        try check.positive(intermediateSize, "intermediate_size")
        try check.positive(maxPositions, "max_position_embeddings")
        try check.positive(typeVocabSize, "type_vocab_size")
        try check.divides(headCount, hiddenSize, "num_attention_heads", "hidden_size")
        try check.product([vocabSize, hiddenSize], "vocab_size × hidden_size")
        try check.product([maxPositions, hiddenSize], "max_position_embeddings × hidden_size")
        try check.product([intermediateSize, hiddenSize], "intermediate_size × hidden_size")
        layerNormEps = Float(raw.layer_norm_eps ?? 1e-12)
        try check.positive(layerNormEps, "layer_norm_eps")
        let name = raw.hidden_act ?? "gelu"
        try check.activation(name, field: "hidden_act", allowed: ["gelu", "gelu_new", "gelu_pytorch_tanh", "relu", "silu"])
        activation = Activation(rawValue: name) ?? .gelu
        if let kind = raw.position_embedding_type, kind != "absolute" {
            throw ModelError.unsupportedConfig(path: path, field: "position_embedding_type", value: kind)
        }
        if raw.is_decoder == true { throw ModelError.unsupportedConfig(path: path, field: "is_decoder", value: "true") }
        padTokenId = raw.pad_token_id
        if raw.model_type == "roberta" {
            let pad = raw.pad_token_id ?? 1
            guard pad >= 0, pad + 1 < maxPositions else {
                throw ModelError.invalidConfigField(path: path, field: "pad_token_id",
                                                    reason: "RoBERTa positions start after it: \(pad) leaves no room in \(maxPositions) positions")
            }
            positionPaddingIndex = pad
        }
    }

    public static func load(folder: URL) throws -> BERTConfig {
        let url = ConfigFile.url(in: folder)
        return try BERTConfig(data: try ConfigFile.data(at: url), path: url.path)
    }
}

// MARK: blocks

/// Word + token-type + position embeddings, then LayerNorm.
struct BERTEmbeddings {
    let words: Embedding, positions: Embedding, tokenTypes: Embedding, norm: LayerNorm
    let paddingIndex: Int?

    static func load(_ scope: WeightScope, _ c: BERTConfig) throws -> BERTEmbeddings {
        BERTEmbeddings(words: try .load(scope.scope("word_embeddings"), count: c.vocabSize, dim: c.hiddenSize),
                       positions: try .load(scope.scope("position_embeddings"), count: c.maxPositions, dim: c.hiddenSize),
                       tokenTypes: try .load(scope.scope("token_type_embeddings"), count: c.typeVocabSize, dim: c.hiddenSize),
                       norm: try .load(scope.scope("LayerNorm"), size: c.hiddenSize, eps: c.layerNormEps),
                       paddingIndex: c.positionPaddingIndex)
    }

    /// Position embeddings: BERT's 0..<t for every row ([1, t, h]); RoBERTa's per row
    /// ([b, t, h]): padding_idx + (real tokens so far) at real tokens, padding_idx at pad ids.
    func positionEmbeddings(_ tokens: TokenBatch) throws -> Tensor {
        let (b, t) = (tokens.batchSize, tokens.length)
        guard let pad = paddingIndex else { return try positions(Array(0..<t), batch: 1, length: t) }
        var ids: [Int] = []
        ids.reserveCapacity(b * t)
        for row in 0..<b {
            var count = 0
            for id in tokens.row(row) {
                if id != pad { count += 1 }
                ids.append(id != pad ? pad + count : pad)
            }
        }
        return try positions(ids, batch: b, length: t)
    }

    func callAsFunction(_ tokens: TokenBatch) throws -> Tensor {
        let (b, t) = (tokens.batchSize, tokens.length)
        let types = tokens.tokenTypeIds ?? Array(repeating: 0, count: tokens.ids.count)
        for type in types where type < 0 || type >= tokenTypes.count {
            throw ModelError.invalidInput(reason: "token type id \(type) is outside 0..<\(tokenTypes.count)")
        }
        // transformers' order: (words + token types) + positions.
        let summed = try words(tokens.ids, batch: b, length: t) + tokenTypes(types, batch: b, length: t)
        return try norm(summed + positionEmbeddings(tokens))
    }
}

/// Post-LN encoder block: h = LN(x + dense(attn(x))); out = LN(h + output(act(intermediate(h)))).
struct BERTBlock {
    let query: Linear, key: Linear, value: Linear, attentionOutput: Linear, attentionNorm: LayerNorm
    let intermediate: Linear, output: Linear, outputNorm: LayerNorm
    let heads: Int, activation: Activation

    static func load(_ scope: WeightScope, _ c: BERTConfig) throws -> BERTBlock {
        let h = c.hiddenSize
        let attention = scope.scope("attention", module: .attention)
        return BERTBlock(
            query: try .load(attention.scope("self.query"), inputs: h, outputs: h, bias: true),
            key: try .load(attention.scope("self.key"), inputs: h, outputs: h, bias: true),
            value: try .load(attention.scope("self.value"), inputs: h, outputs: h, bias: true),
            attentionOutput: try .load(attention.scope("output.dense"), inputs: h, outputs: h, bias: true),
            attentionNorm: try .load(attention.scope("output.LayerNorm", module: .norm), size: h, eps: c.layerNormEps),
            intermediate: try .load(scope.scope("intermediate.dense", module: .mlp), inputs: h, outputs: c.intermediateSize, bias: true),
            output: try .load(scope.scope("output.dense", module: .mlp), inputs: c.intermediateSize, outputs: h, bias: true),
            outputNorm: try .load(scope.scope("output.LayerNorm", module: .norm), size: h, eps: c.layerNormEps),
            heads: c.headCount, activation: c.activation)
    }

    /// The block output and its MLP output (before the residual add and LayerNorm).
    func callAsFunction(_ x: Tensor, keyMask: [Bool]?) throws -> (Tensor, Tensor) {
        let (b, t, hidden) = (x.shape[0], x.shape[1], x.shape[2])
        let shape = [b, t, heads, hidden / heads]
        let attended = try scaledDotProductAttention(query: query(x).reshape(shape), key: key(x).reshape(shape),
                                                     value: value(x).reshape(shape), causal: false, keyMask: keyMask,
                                                     scale: Float(Foundation.pow(Double(hidden / heads), -0.5)))
        let h = try attentionNorm(attentionOutput(attended.reshape([b, t, hidden])) + x)
        let m = try output(activation(intermediate(h)))
        return (try outputNorm(m + h), m)
    }
}

// MARK: model

/// A BERT encoder loaded strictly from a Hugging Face folder. Accepts bare names (BertModel,
/// sentence-transformers) and `bert.`-prefixed ones (BertFor… checkpoints, whose `cls.`
/// pretraining heads are skipped); the pooler is optional, as in transformers. RoBERTa
/// configs (`model_type` roberta) get RoBERTa's position ids; the layers are BERT's.
public final class BERTModel {
    public let config: BERTConfig
    public let parameters: [ModelParameter]
    public let source: ModelSource
    /// The `nn.Linear` modules by checkpoint name (as peft names them on this model class).
    public let linearModules: [LinearModule]
    let embeddings: BERTEmbeddings
    let blocks: [BERTBlock]
    let pooler: Linear?

    public static func load(_ url: URL) throws -> BERTModel {
        let checkpoint = try Checkpoint.open(url)
        return try BERTModel(config: try BERTConfig.load(folder: checkpoint.root), checkpoint: checkpoint)
    }

    public convenience init(config c: BERTConfig, checkpoint: Checkpoint) throws {
        let loader = WeightLoader(checkpoint: checkpoint)
        let prefixed = loader.contains("bert.embeddings.word_embeddings.weight")
        try self.init(config: c, loader: loader, prefix: prefixed ? "bert" : nil, pooler: .optional,
                      ignoring: { prefixed && $0.hasPrefix("cls.") }, head: { _ in })
    }

    /// Whether the encoder loads `pooler.dense` (`skipped`: not even when present).
    enum PoolerUse { case required, optional, skipped }

    /// Loads the encoder (under `prefix.` when given), then `head` loads a task head's
    /// tensors from the root scope before strict loading checks that nothing is left over.
    init(config c: BERTConfig, loader: WeightLoader, prefix: String?, pooler use: PoolerUse,
         ignoring: (String) -> Bool, head: (WeightScope) throws -> Void) throws {
        let skipped: (String) -> Bool = { name in name.hasSuffix("embeddings.position_ids") || ignoring(name) }
        try loader.requireMemory(ignoring: skipped)
        let base = prefix.map { loader.root.scope($0) } ?? loader.root
        embeddings = try .load(base.scope("embeddings"), c)
        blocks = try (0..<c.layerCount).map { try BERTBlock.load(base.block("encoder.layer", index: $0), c) }
        pooler = use == .required || (use == .optional && base.contains("pooler.dense.weight"))
            ? try .load(base.scope("pooler.dense", module: .head), inputs: c.hiddenSize, outputs: c.hiddenSize, bias: true) : nil
        try head(loader.root.module(.head))
        source = try loader.finish(ignoring: skipped)
        parameters = loader.parameters
        linearModules = loader.linearModules
        config = c
    }

    public var hiddenSize: Int { config.hiddenSize }
    public var layerCount: Int { config.layerCount }
    public var hasPooler: Bool { pooler != nil }

    /// Encoder forward. `finalHidden` is the last block's output ([batch, length, hidden]);
    /// residual index 0 is the embedding LayerNorm output, l + 1 block l's output; the MLP
    /// output is `output.dense` before its residual add and LayerNorm. No logits.
    public func forward(_ tokens: TokenBatch, options: ForwardOptions = ForwardOptions()) throws -> ModelOutput {
        try tokens.check(vocabSize: config.vocabSize)
        guard tokens.length <= config.maxLength else {
            throw ModelError.invalidInput(reason: "\(tokens.length) tokens exceed the \(config.maxLength) positions of max_position_embeddings = \(config.maxPositions)")
        }
        var hooks = try HookRunner(options, layerCount: config.layerCount, batch: tokens.batchSize,
                                   length: tokens.length, hidden: config.hiddenSize)
        let keyMask = tokens.hasPadding ? tokens.attentionMask : nil
        var h = try hooks.input { try embeddings(tokens) }
        for (l, block) in blocks.enumerated() where hooks.runs(block: l) {
            let (out, m) = try block(h, keyMask: keyMask)
            hooks.mlp(m)
            h = try hooks.residual(out, index: ResidualIndex.afterBlock(l))
        }
        return hooks.output(finalHidden: hooks.runsToEnd ? h : nil, logits: nil)
    }

    /// tanh(dense(h[:, 0])): [batch, hidden].
    public func pooled(_ lastHidden: Tensor) throws -> Tensor {
        guard let pooler else { throw ModelError.invalidInput(reason: "\(source.url.path): the checkpoint has no pooler") }
        return try pooler(lastHidden.slice(axis: 1, 0..<1).squeeze(1)).tanh()
    }

    /// sentence-transformers mean pooling: Σ h·mask / max(Σ mask, 1e-9) per row, [batch, hidden].
    public func meanPooled(_ lastHidden: Tensor, attentionMask: [Bool]?) throws -> Tensor {
        let (b, t) = (lastHidden.shape[0], lastHidden.shape[1])
        let flags = attentionMask ?? Array(repeating: true, count: b * t)
        guard flags.count == b * t else { throw ModelError.invalidInput(reason: "mask of \(flags.count) flags for [\(b), \(t)]") }
        let mask = try Tensor(shape: [b, t, 1], values: flags.map { $0 ? 1 : 0 })
        let counts = try Tensor(shape: [b, 1], values: (0..<b).map { row in
            max(Float(flags[(row * t)..<((row + 1) * t)].filter { $0 }.count), 1e-9)
        })
        return try (lastHidden * mask).sum(axis: 1) / counts
    }

    /// Sentence embeddings of `texts` ([count, hidden]): each text tokenized with special
    /// tokens, right-padded to the longest, encoded, mean-pooled over its real tokens.
    public func sentenceEmbeddings(_ texts: [String], tokenizer: Tokenizer) throws -> Tensor {
        let tokens = try Self.batch(texts, tokenizer: tokenizer, padId: config.padTokenId ?? tokenizer.padTokenId ?? 0)
        guard let last = try forward(tokens).finalHidden else { throw ModelError.invalidInput(reason: "no hidden states") }
        return try meanPooled(last, attentionMask: tokens.attentionMask)
    }

    /// Tokenizes and right-pads `texts` (or the pairs `texts[i]`, `pairs[i]`) into one
    /// batch with token types and a mask.
    public static func batch(_ texts: [String], pairs: [String]? = nil, tokenizer: Tokenizer, padId: Int) throws -> TokenBatch {
        try batch(try encode(texts, pairs: pairs, tokenizer: tokenizer), padId: padId)
    }

    /// Each text (or pair) with special tokens and token types, as the tokenizer's
    /// post-processor adds them (`[CLS] a [SEP] b [SEP]`, types 0…0 1…1).
    static func encode(_ texts: [String], pairs: [String]?, tokenizer: Tokenizer) throws -> [Encoding] {
        guard !texts.isEmpty else { throw ModelError.invalidInput(reason: "no texts to encode") }
        // Single texts go through the tokenizer's own truncation and padding (tokenizer.json), as encode_batch.
        guard let pairs else { return try tokenizer.encodeBatch(texts) }
        guard pairs.count == texts.count else {
            throw ModelError.invalidInput(reason: "\(pairs.count) second texts for \(texts.count) texts")
        }
        return try zip(texts, pairs).map { try tokenizer.encodePair($0, $1) }
    }

    /// Right-pads encodings to the longest: ids with `padId`, type 0, mask false.
    static func batch(_ encodings: some Collection<Encoding>, padId: Int) throws -> TokenBatch {
        let width = encodings.map(\.ids.count).max() ?? 0
        guard width > 0 else { throw ModelError.invalidInput(reason: "every text encodes to zero tokens") }
        var ids: [Int] = [], types: [Int] = [], mask: [Bool] = []
        for e in encodings {
            let pad = width - e.ids.count
            ids += e.ids + Array(repeating: padId, count: pad)
            types += e.typeIds + Array(repeating: 0, count: pad)
            mask += e.attentionMask.map { $0 != 0 } + Array(repeating: false, count: pad)
        }
        return try TokenBatch(ids: ids, batchSize: encodings.count, attentionMask: mask, tokenTypeIds: types)
    }
}
