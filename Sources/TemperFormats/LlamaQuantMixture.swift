/// The per-tensor type choices `llama-quantize` makes for a file type without an importance
/// matrix (llama-quant.cpp: `tensor_allows_quantization`, `llama_tensor_get_type_impl`,
/// `tensor_type_fallback`), for dense Llama and Qwen2 models: which tensors stay as they
/// are, which get Q6_K (output / tied token_embd), the attn_v / ffn_down `use_more_bits`
/// layers, and the fallbacks for rows that are not whole blocks.
public struct LlamaQuantMixture: Sendable {
    /// The hyperparameters the choices depend on (from the GGUF's `ARCH.*` keys).
    public struct Model: Sendable, Equatable {
        public var architecture: String
        public var blockCount: Int
        public var headCount: Int
        public var headCountKV: Int
        public var expertCount: Int

        public init(architecture: String, blockCount: Int, headCount: Int, headCountKV: Int, expertCount: Int = 0) {
            self.architecture = architecture; self.blockCount = blockCount
            self.headCount = headCount; self.headCountKV = headCountKV; self.expertCount = expertCount
        }

        /// `hparams.n_gqa()`.
        var gqa: Int { headCountKV == 0 ? 0 : headCount / headCountKV }
        /// `model.type == LLM_TYPE_70B` (src/models/llama.cpp, qwen2.cpp).
        var is70B: Bool {
            blockCount == 80 && (architecture == "qwen2" || (architecture == "llama" && headCount != headCountKV))
        }
    }

    /// One tensor as the choices see it: name, ggml dimensions (innermost first), stored type.
    public struct Tensor: Sendable, Equatable {
        public var name: String
        public var dimensions: [Int]
        public var type: GGMLType
        public init(name: String, dimensions: [Int], type: GGMLType) { self.name = name; self.dimensions = dimensions; self.type = type }
    }

    /// Architectures whose mixture rules are written out here (others have their own branches).
    public static let architectures = ["llama", "qwen2"]

    enum Category { case output, tokenEmbedding, attentionQKV, attentionKVB, attentionV, attentionK, attentionQ, attentionOutput, ffnUp, ffnGate, ffnDown, other }

    public let fileType: LlamaFileType
    public let model: Model

    public init(fileType: LlamaFileType, model: Model) throws {
        guard Self.architectures.contains(model.architecture) else {
            throw FormatError.unsupportedInput(path: "", reason: "llama-quantize mixtures are implemented for \(Self.architectures.joined(separator: ", ")), not '\(model.architecture)'")
        }
        guard model.expertCount <= 1 else {
            throw FormatError.unsupportedInput(path: "", reason: "mixture-of-experts models (\(model.expertCount) experts) are not supported")
        }
        self.fileType = fileType; self.model = model
    }

    /// The target type of every tensor, in the order given. `tensors` must be in
    /// `llama-quantize`'s order (see `GGUFRequantizer.order`): the attn_v and ffn_down
    /// counters advance as the tensors are visited.
    public func targetTypes(_ tensors: [Tensor]) -> [GGMLType] {
        let categories = tensors.map { Self.category($0.name) }
        let attentionV = categories.filter { [.attentionV, .attentionQKV, .attentionKVB].contains($0) }.count
        let tied = !categories.contains(.output)
        var iAttentionV = 0, iFFNDown = 0
        return zip(tensors, categories).map { tensor, category in
            guard Self.allowsQuantization(tensor) else { return tensor.type }
            var type = fileType.defaultType
            guard type.isBlockQuantized else { return type }
            type = choose(type, tensor, category, tied: tied, attentionV: (iAttentionV, attentionV), ffnDown: iFFNDown)
            if [.attentionV, .attentionQKV, .attentionKVB].contains(category) { iAttentionV += 1 }
            if category == .ffnDown { iFFNDown += 1 }
            return Self.fallback(type, columns: tensor.dimensions.first ?? 0)
        }
    }

    static func category(_ name: String) -> Category {
        if name == "output.weight" { return .output }
        if name == "token_embd.weight" || name == "per_layer_token_embd.weight" { return .tokenEmbedding }
        let order: [(String, Category)] = [
            ("attn_qkv.weight", .attentionQKV), ("attn_kv_b.weight", .attentionKVB), ("attn_v.weight", .attentionV),
            ("attn_k.weight", .attentionK), ("attn_q.weight", .attentionQ), ("attn_output.weight", .attentionOutput),
            ("ffn_up", .ffnUp), ("ffn_gate", .ffnGate), ("ffn_down", .ffnDown),
        ]
        return order.first { name.contains($0.0) }?.1 ?? .other
    }

    /// Substrings of tensors `tensor_allows_quantization` keeps as they are.
    static let keptSubstrings = [
        "_norm.weight", "ffn_gate_inp.weight", "ffn_gate_tid2eid.weight", "altup", "laurel", "per_layer_model_proj",
        "ssm_conv1d", "shortconv.conv.weight", "indexer.k_proj.weight", "indexer.q_proj.weight",
        "time_mix_first.weight", "time_mix_w0.weight", "time_mix_w1.weight", "time_mix_w2.weight", "time_mix_v0.weight",
        "time_mix_v1.weight", "time_mix_v2.weight", "time_mix_a0.weight", "time_mix_a1.weight", "time_mix_a2.weight",
        "time_mix_g1.weight", "time_mix_g2.weight", "time_mix_decay_w1.weight", "time_mix_decay_w2.weight",
        "time_mix_lerp_fused.weight", "attn_rel_b.weight", ".position_embd", "sam.pos_embd", "sam.neck.", "sam.net_",
        ".rel_pos", ".patch_embd", ".patch_merger", "a.rvq.codebook", "mm.a.code_embd",
    ]

    static func allowsQuantization(_ t: Tensor) -> Bool {
        // ggml_n_dims: trailing dimensions of 1 do not count.
        let dims = (t.dimensions.lastIndex { $0 > 1 } ?? 0) + 1
        guard dims >= 2, t.name.hasSuffix("weight") else { return false }
        if t.name == "position_embd.weight" || t.name == "token_types.weight" { return false }
        return !keptSubstrings.contains { t.name.contains($0) }
    }

    /// `use_more_bits`: the first and last eighth of the layers and every third in between.
    static func useMoreBits(_ i: Int, _ n: Int) -> Bool { i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2 }

    /// `llama_tensor_get_type_impl` for the file types in `LlamaFileType`, dense, not Falcon.
    func choose(_ defaultType: GGMLType, _ t: Tensor, _ category: Category, tied: Bool,
                attentionV: (i: Int, n: Int), ffnDown i: Int) -> GGMLType {
        let f = fileType, n = model.blockCount
        if category == .output || (tied && category == .tokenEmbedding) {
            if (t.dimensions.first ?? 0) % defaultType.blockSize != 0 { return .q8_0 }
            return defaultType == .q8_0 ? .q8_0 : .q6_K
        }
        switch category {
        case .attentionV, .attentionQKV, .attentionKVB:
            // attn_qkv is attn_v-like: C's attn_v branch comes before its own, so this one applies.
            var type = defaultType
            switch f {
            case .q2_K: type = model.gqa >= 4 ? .q4_K : .q3_K
            case .q3_K_M: type = attentionV.i < 2 ? .q5_K : .q4_K
            case .q3_K_L: type = .q5_K
            case .iq4_NL, .iq4_XS: if model.gqa >= 4 { type = .q5_K }
            case .q4_K_M, .q5_K_M: if Self.useMoreBits(attentionV.i, attentionV.n) { type = .q6_K }
            case .q4_K_S: if attentionV.i < 4 { type = .q5_K }
            default: break
            }
            if model.is70B && (type == .q3_K || type == .q4_K) { type = .q5_K }
            return type
        case .ffnDown:
            switch f {
            case .q2_K: return .q3_K
            case .q3_K_M: return i < n / 16 ? .q5_K : .q4_K
            case .q3_K_L: return .q5_K
            case .q4_K_M: return Self.useMoreBits(i, n) ? .q6_K : defaultType
            case .iq4_NL, .iq4_XS: return i < n / 8 ? .q5_K : defaultType
            case .q5_K_M: return Self.useMoreBits(i, n) ? .q6_K : defaultType
            case .q4_K_S: return i < n / 8 ? .q5_K : defaultType
            default: return defaultType
            }
        case .attentionOutput:
            switch f {
            case .q2_K: return .q3_K
            case .q3_K_M: return .q4_K
            case .q3_K_L: return .q5_K
            default: return defaultType
            }
        default:
            return defaultType
        }
    }

    /// `tensor_type_fallback`: a type whose block does not divide the row length.
    static func fallback(_ type: GGMLType, columns: Int) -> GGMLType {
        guard columns % type.blockSize != 0 else { return type }
        var to = type
        switch type {
        case .iq4_XS: to = .iq4_NL
        case .q2_K, .q3_K: to = .q4_0
        case .q4_K: to = .q5_0
        case .q5_K: to = .q5_1
        case .q6_K: to = .q8_0
        default: break
        }
        return columns % to.blockSize == 0 ? to : .f16
    }
}
