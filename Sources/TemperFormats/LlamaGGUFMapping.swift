import Foundation

/// The hyperparameters a Llama GGUF needs, decoded from a Hugging Face `config.json`.
public struct LlamaGGUFConfig: Sendable, Equatable {
    /// `general.name`; not part of config.json (convert_hf_to_gguf uses the folder name).
    public var name: String = "llama"
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    public var numKeyValueHeads: Int
    public var maxPositionEmbeddings: Int
    public var rmsNormEps: Double
    public var ropeTheta: Double
    public var vocabSize: Int
    /// Set only when config.json has `head_dim`; otherwise hidden / heads.
    public var headDim: Int?
    public var bosTokenId: Int?
    public var eosTokenId: Int?
    public var padTokenId: Int?
    /// RoPE scaling (`rope_parameters` / `rope_scaling`), written as `{arch}.rope.scaling.*`
    /// or, for `llama3`, as the `rope_freqs.weight` tensor.
    public var ropeScaling: GGUFRopeScaling = .none
    /// config.json `model_type`: llama, mistral (both GGUF architecture `llama`) or qwen2.
    public var modelType: String = "llama"

    /// The GGUF architecture convert_hf_to_gguf writes: LlamaModel for llama and mistral,
    /// Qwen2Model for qwen2.
    public var architecture: String { modelType == "qwen2" ? "qwen2" : "llama" }
    /// LlamaModel undoes HF's rotate-half Q/K layout; Qwen2Model (a plain TextModel) does not.
    public var permutesQK: Bool { architecture == "llama" }

    public init(name: String = "llama", hiddenSize: Int, intermediateSize: Int, numHiddenLayers: Int,
                numAttentionHeads: Int, numKeyValueHeads: Int? = nil, maxPositionEmbeddings: Int,
                rmsNormEps: Double, ropeTheta: Double = 10000, vocabSize: Int, headDim: Int? = nil,
                bosTokenId: Int? = nil, eosTokenId: Int? = nil, padTokenId: Int? = nil) {
        self.name = name; self.hiddenSize = hiddenSize; self.intermediateSize = intermediateSize
        self.numHiddenLayers = numHiddenLayers; self.numAttentionHeads = numAttentionHeads
        self.numKeyValueHeads = numKeyValueHeads ?? numAttentionHeads
        self.maxPositionEmbeddings = maxPositionEmbeddings; self.rmsNormEps = rmsNormEps
        self.ropeTheta = ropeTheta; self.vocabSize = vocabSize; self.headDim = headDim
        self.bosTokenId = bosTokenId; self.eosTokenId = eosTokenId; self.padTokenId = padTokenId
    }

    /// From the shared config.json decoder. GGUF needs max_position_embeddings and
    /// rms_norm_eps (no defaults, as convert_hf_to_gguf writes what the config says); special
    /// ids count only when they are single integers (gguf-py SpecialVocab).
    public init(json j: LlamaConfigJSON, name: String = "llama", path: String = "config.json") throws {
        guard let maxPositions = j.max_position_embeddings else {
            throw FormatError.invalidContent(path: path, rule: "max_position_embeddings is missing")
        }
        guard let eps = j.rms_norm_eps else { throw FormatError.invalidContent(path: path, rule: "rms_norm_eps is missing") }
        func single(_ list: TokenIDList?) -> Int? { list?.ids.count == 1 ? list?.ids.first : nil }
        self.init(name: name, hiddenSize: j.hidden_size, intermediateSize: j.intermediate_size, numHiddenLayers: j.num_hidden_layers,
                  numAttentionHeads: j.num_attention_heads, numKeyValueHeads: j.num_key_value_heads, maxPositionEmbeddings: maxPositions,
                  rmsNormEps: eps, ropeTheta: j.ropeTheta, vocabSize: j.vocab_size, headDim: j.head_dim,
                  bosTokenId: single(j.bos_token_id), eosTokenId: single(j.eos_token_id), padTokenId: single(j.pad_token_id))
        modelType = j.model_type ?? "llama"
        ropeScaling = try GGUFRopeScaling(raw: j.rope.fields, field: j.rope.field, path: path)
    }

    /// Decodes and validates a config.json; errors name `path`.
    public static func decode(configJSON: Data, name: String = "llama", path: String = "config.json") throws -> LlamaGGUFConfig {
        let json: LlamaConfigJSON
        do { json = try JSONDecoder().decode(LlamaConfigJSON.self, from: configJSON) } catch {
            throw FormatError.invalidContent(path: path, rule: "not a Llama config: \(error)")
        }
        let config = try LlamaGGUFConfig(json: json, name: name, path: path)
        guard ["llama", "mistral", "qwen2"].contains(config.modelType) else {
            throw FormatError.unsupportedConfigField(path: path, field: "model_type", value: config.modelType,
                                                     reason: "the GGUF export writes llama, mistral and qwen2")
        }
        try config.validate(path: path)
        return config
    }

    /// Rotary dimensions per head (`llama.rope.dimension_count`).
    public var ropeDimensionCount: Int { headDim ?? hiddenSize / max(numAttentionHeads, 1) }

    public func validate(path: String = "config.json") throws {
        let positive = [("hidden_size", hiddenSize), ("intermediate_size", intermediateSize), ("num_hidden_layers", numHiddenLayers),
                        ("num_attention_heads", numAttentionHeads), ("num_key_value_heads", numKeyValueHeads),
                        ("max_position_embeddings", maxPositionEmbeddings), ("vocab_size", vocabSize), ("head_dim", headDim ?? 1)]
        for (key, v) in positive where v <= 0 || v > Int(UInt32.max) {
            throw FormatError.invalidContent(path: path, rule: "\(key) = \(v) is not in 1...\(UInt32.max)")
        }
        if headDim == nil, hiddenSize % numAttentionHeads != 0 {
            throw FormatError.invalidContent(path: path, rule: "hidden_size \(hiddenSize) is not a multiple of num_attention_heads \(numAttentionHeads)")
        }
        if numAttentionHeads % numKeyValueHeads != 0 {
            throw FormatError.invalidContent(path: path, rule: "num_attention_heads \(numAttentionHeads) is not a multiple of num_key_value_heads \(numKeyValueHeads)")
        }
        guard rmsNormEps.isFinite, rmsNormEps > 0, ropeTheta.isFinite, ropeTheta > 0 else {
            throw FormatError.invalidContent(path: path, rule: "rms_norm_eps and rope_theta must be positive and finite")
        }
    }
}

/// The output types of the Llama export and their `general.file_type` (llama_ftype) numbers.
public enum LlamaGGUFOutputType: String, CaseIterable, Sendable {
    case f32, f16, bf16, q8_0, q4_0

    public var ggmlType: GGMLType {
        switch self {
        case .f32: return .f32
        case .f16: return .f16
        case .bf16: return .bf16
        case .q8_0: return .q8_0
        case .q4_0: return .q4_0
        }
    }

    /// `LLAMA_FTYPE_ALL_F32` 0, `MOSTLY_F16` 1, `MOSTLY_Q4_0` 2, `MOSTLY_Q8_0` 7, `MOSTLY_BF16` 32.
    public var fileType: UInt32 {
        switch self {
        case .f32: return 0
        case .f16: return 1
        case .q4_0: return 2
        case .q8_0: return 7
        case .bf16: return 32
        }
    }
}

/// Hugging Face Llama tensor names → llama.cpp GGUF names, and the Q/K row permutation.
public enum LlamaGGUFMapping {
    static let layerNames: [(hf: String, gguf: String)] = [
        ("self_attn.q_proj", "attn_q"), ("self_attn.k_proj", "attn_k"), ("self_attn.v_proj", "attn_v"),
        ("self_attn.o_proj", "attn_output"), ("mlp.gate_proj", "ffn_gate"), ("mlp.up_proj", "ffn_up"),
        ("mlp.down_proj", "ffn_down"), ("input_layernorm", "attn_norm"), ("post_attention_layernorm", "ffn_norm"),
    ]
    static let globalNames: [(hf: String, gguf: String)] = [
        ("model.embed_tokens", "token_embd"), ("model.norm", "output_norm"), ("lm_head", "output"),
    ]

    /// Tensors convert_hf_to_gguf drops without a GGUF counterpart.
    public static func isIgnored(_ hfName: String) -> Bool {
        [".rotary_emb.inv_freq", ".attention.masked_bias", ".attention.bias"].contains { hfName.hasSuffix($0) }
    }

    /// The GGUF name for a Hugging Face name (`.weight` or `.bias`), or nil when there is none.
    public static func ggufName(for hfName: String) -> String? {
        let suffix: String
        if hfName.hasSuffix(".weight") { suffix = ".weight" } else if hfName.hasSuffix(".bias") { suffix = ".bias" } else { return nil }
        let stem = String(hfName.dropLast(suffix.count))
        if let g = globalNames.first(where: { $0.hf == stem }) { return g.gguf + suffix }
        let prefix = "model.layers."
        guard stem.hasPrefix(prefix) else { return nil }
        let rest = stem.dropFirst(prefix.count)
        guard let dot = rest.firstIndex(of: "."), let layer = Int(rest[..<dot]), layer >= 0,
              rest[..<dot].allSatisfy(\.isASCII) else { return nil }
        let part = String(rest[rest.index(after: dot)...])
        guard let m = layerNames.first(where: { $0.hf == part }) else { return nil }
        return "blk.\(layer).\(m.gguf)\(suffix)"
    }

    /// The block index of a `blk.N.` name.
    static func layerIndex(ofGGUFName name: String) -> Int? {
        guard name.hasPrefix("blk.") else { return nil }
        return Int(name.dropFirst(4).prefix { $0 != "." })
    }

    /// Heads for the Q/K permutation of this HF tensor (Q: attention heads, K: KV heads), or nil.
    public static func permutationHeads(for hfName: String, config: LlamaGGUFConfig) -> Int? {
        guard config.permutesQK else { return nil }
        if hfName.hasSuffix("q_proj.weight") || hfName.hasSuffix("q_proj.bias") { return config.numAttentionHeads }
        if hfName.hasSuffix("k_proj.weight") || hfName.hasSuffix("k_proj.bias") { return config.numKeyValueHeads }
        return nil
    }

    /// convert_hf_to_gguf `LlamaModel.permute` on row-major f32 data of `rows` × `cols`:
    /// `w.reshape(heads, 2, rows/heads/2, cols).swapaxes(1, 2).reshape(rows, cols)`, i.e. per
    /// head, output row 2i+j is input row j·(half)+i — HF's rotate-half layout becomes
    /// ggml's interleaved pairs.
    public static func permuteQK(_ data: [Float], rows: Int, cols: Int, heads: Int, tensor: String = "") throws -> [Float] {
        guard heads > 0, rows > 0, cols >= 0, rows % (2 * heads) == 0, data.count == rows * cols else {
            throw FormatError.invalidShape(path: "", tensor: tensor,
                                           reason: "cannot permute \(data.count) values as \(rows)×\(cols) over \(heads) heads (rows must split into 2 halves per head)")
        }
        let perHead = rows / heads, half = perHead / 2
        var out = [Float](repeating: 0, count: data.count)
        data.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                guard let s = src.baseAddress, let d = dst.baseAddress else { return }
                for h in 0..<heads {
                    for i in 0..<half {
                        for j in 0..<2 {
                            let from = h * perHead + j * half + i, to = h * perHead + 2 * i + j
                            (d + to * cols).update(from: s + from * cols, count: cols)
                        }
                    }
                }
            }
        }
        return out
    }

    /// The GGUF type convert_hf_to_gguf picks: F32 for 1-D tensors, `*_norm.weight` and
    /// anything not ending in `.weight`; otherwise the output type, falling back to F16 when
    /// the row length is not a multiple of the block size.
    public static func tensorType(ggufName: String, shape: [Int], outputType: LlamaGGUFOutputType) -> GGMLType {
        if shape.count <= 1 || ggufName.hasSuffix("_norm.weight") || !ggufName.hasSuffix(".weight") { return .f32 }
        let t = outputType.ggmlType
        if t.blockSize > 1, (shape.last ?? 0) % t.blockSize != 0 { return .f16 }
        return t
    }

    /// The shape (outermost-first) a tensor must have for llama.cpp to load it.
    public static func expectedShape(ggufName: String, config c: LlamaGGUFConfig) -> [Int]? {
        let headDim = c.headDim ?? c.hiddenSize / c.numAttentionHeads
        let q = c.numAttentionHeads * headDim, kv = c.numKeyValueHeads * headDim
        let base = ggufName.split(separator: ".").dropFirst(ggufName.hasPrefix("blk.") ? 2 : 0).first.map(String.init) ?? ""
        let isBias = ggufName.hasSuffix(".bias")
        let shape: [Int]
        switch base {
        case "token_embd", "output": shape = [c.vocabSize, c.hiddenSize]
        case "output_norm", "attn_norm", "ffn_norm": shape = [c.hiddenSize]
        case "attn_q": shape = [q, c.hiddenSize]
        case "attn_k", "attn_v": shape = [kv, c.hiddenSize]
        case "attn_output": shape = [c.hiddenSize, q]
        case "ffn_gate", "ffn_up": shape = [c.intermediateSize, c.hiddenSize]
        case "ffn_down": shape = [c.hiddenSize, c.intermediateSize]
        default: return nil
        }
        return isBias ? [shape[0]] : shape
    }
}
