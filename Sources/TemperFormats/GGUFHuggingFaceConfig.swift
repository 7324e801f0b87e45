import Foundation

/// The Hugging Face view of a llama.cpp GGUF of the Llama family (`general.architecture`
/// llama — which convert_hf_to_gguf also uses for Mistral — or qwen2): config.json in
/// transformers 5 style and the tensor plan, the inverse of the HF → GGUF export.
public struct GGUFHuggingFaceModel {
    public static let architectures = ["llama", "qwen2"]

    /// One tensor as it will be written: its transformers name and, for Llama Q/K, the
    /// heads of the permutation to undo.
    public struct Tensor: Sendable, Equatable {
        public var hfName: String
        public var info: GGUFTensorInfo
        public var unpermuteHeads: Int?
        /// Which shard of a split model holds it (0 for a single file).
        public var shard: Int
    }

    public let architecture: String
    public let hiddenSize: Int, intermediateSize: Int, layerCount: Int
    public let headCount: Int, kvHeadCount: Int, headDim: Int
    public let contextLength: Int, vocabSize: Int
    public let ropeTheta: Float, rmsNormEps: Float
    /// `rope_parameters` beyond θ (`linear` scaling), as key/value pairs.
    public let ropeScaling: [OrderedJSON.Member]
    public let tied: Bool, attentionBias: Bool
    public let bosTokenId: Int?, eosTokenId: Int?, padTokenId: Int?
    public let tensors: [Tensor]

    /// Reads the hyperparameters (from the first shard) and maps every tensor of every
    /// shard; anything transformers would not load the same way is a typed error naming
    /// the key or tensor.
    public init(_ shards: [GGUFFile]) throws {
        guard let file = shards.first else { throw FormatError.unsupportedInput(path: "", reason: "no GGUF shards") }
        let path = file.path
        let all = shards.enumerated().flatMap { i, s in s.tensors.map { (i, $0) } }
        let names = Set(all.map(\.1.name))
        func bad(_ key: String, _ reason: String) -> FormatError { .invalidMetadata(path: path, reason: "\(key): \(reason)") }
        guard let arch = file.value(forKey: "general.architecture")?.stringValue else { throw bad("general.architecture", "missing") }
        guard Self.architectures.contains(arch) else {
            throw FormatError.unsupportedInput(path: path, reason: "general.architecture '\(arch)' has no Hugging Face mapping (supported: \(Self.architectures.joined(separator: ", ")))")
        }
        architecture = arch
        func int(_ key: String, default fallback: Int? = nil) throws -> Int {
            guard let raw = file.value(forKey: "\(arch).\(key)") else {
                if let fallback { return fallback }
                throw bad("\(arch).\(key)", "missing")
            }
            guard let v = raw.integerValue, v > 0, let i = Int(exactly: v), i <= Int(UInt32.max) else {
                throw bad("\(arch).\(key)", "expected a positive integer, found \(raw)")
            }
            return i
        }
        func float(_ key: String, default fallback: Float? = nil) throws -> Float {
            switch file.value(forKey: "\(arch).\(key)") {
            case let .float32(v)? where v.isFinite && v > 0: return v
            case let .float64(v)? where v.isFinite && v > 0: return Float(v)
            case nil: if let fallback { return fallback }; throw bad("\(arch).\(key)", "missing")
            case let other?: throw bad("\(arch).\(key)", "expected a positive float, found \(other)")
            }
        }
        hiddenSize = try int("embedding_length")
        intermediateSize = try int("feed_forward_length")
        layerCount = try int("block_count")
        headCount = try int("attention.head_count")
        kvHeadCount = try int("attention.head_count_kv", default: headCount)
        guard hiddenSize % headCount == 0 || file.value(forKey: "\(arch).attention.key_length") != nil else {
            throw bad("\(arch).attention.head_count", "\(headCount) does not divide embedding_length \(hiddenSize)")
        }
        headDim = try int("attention.key_length", default: hiddenSize / headCount)
        guard headCount % kvHeadCount == 0, try int("rope.dimension_count", default: headDim) == headDim else {
            throw bad("\(arch).rope.dimension_count", "partial rotary or uneven GQA has no transformers Llama equivalent")
        }
        contextLength = try int("context_length")
        let tokens = file.value(forKey: "tokenizer.ggml.tokens")?.arrayValue?.count
        vocabSize = try int("vocab_size", default: tokens ?? 0)
        ropeTheta = try float("rope.freq_base", default: 10000)
        rmsNormEps = try float("attention.layer_norm_rms_epsilon")
        ropeScaling = try Self.ropeScaling(file, arch: arch)
        func tokenId(_ key: String) -> Int? {
            file.value(forKey: "tokenizer.ggml.\(key)_token_id")?.integerValue.flatMap { Int(exactly: $0) }
        }
        bosTokenId = tokenId("bos"); eosTokenId = tokenId("eos"); padTokenId = tokenId("padding")
        tied = !names.contains("output.weight")
        attentionBias = arch == "llama" && names.contains("blk.0.attn_q.bias")

        var planned: [Tensor] = []
        for (shard, info) in all {
            if info.name == "rope_freqs.weight" {
                throw FormatError.unsupportedConversion(tensor: info.name, from: "GGUF (llama3 rope frequencies)", to: "Hugging Face")
            }
            guard let hf = LlamaGGUFMapping.hfName(forGGUF: info.name) else {
                throw FormatError.unsupportedConversion(tensor: info.name, from: "GGUF \(arch)", to: "Hugging Face (no transformers name)")
            }
            var heads: Int?
            if arch == "llama" {
                if hf.contains(".q_proj.") { heads = headCount } else if hf.contains(".k_proj.") { heads = kvHeadCount }
            }
            planned.append(Tensor(hfName: hf, info: info, unpermuteHeads: heads, shard: shard))
        }
        tensors = planned
    }

    /// `{arch}.rope.scaling.*` as transformers `rope_parameters` members; only linear
    /// scaling (and none) can be expressed without llama.cpp-specific keys.
    static func ropeScaling(_ file: GGUFFile, arch: String) throws -> [OrderedJSON.Member] {
        let key = "\(arch).rope.scaling.type"
        guard let type = file.value(forKey: key)?.stringValue, type != "none" else { return [] }
        guard type == "linear", case let .float32(factor)? = file.value(forKey: "\(arch).rope.scaling.factor") else {
            throw FormatError.unsupportedInput(path: file.path, reason: "\(key) = '\(type)' is not supported for Hugging Face output (linear only)")
        }
        return [.init(key: "factor", value: .number(pythonFloat(factor)))]
    }

    /// config.json as transformers 5 writes it for LlamaConfig / Qwen2Config.
    public func configJSON(dtype: DType) -> [UInt8] {
        let isQwen = architecture == "qwen2"
        func n(_ v: Int) -> OrderedJSON { .number(String(v)) }
        func id(_ v: Int?) -> OrderedJSON { v.map(n) ?? .null }
        var m: [OrderedJSON.Member] = [
            .init(key: "architectures", value: .array([.string(isQwen ? "Qwen2ForCausalLM" : "LlamaForCausalLM")])),
        ]
        if !isQwen { m.append(.init(key: "attention_bias", value: .bool(attentionBias))) }
        m += [
            .init(key: "attention_dropout", value: .number("0.0")),
            .init(key: "bos_token_id", value: id(bosTokenId)),
            .init(key: "dtype", value: .string(dtype.torchName)),
            .init(key: "eos_token_id", value: id(eosTokenId)),
            .init(key: "head_dim", value: n(headDim)),
            .init(key: "hidden_act", value: .string("silu")),
            .init(key: "hidden_size", value: n(hiddenSize)),
            .init(key: "initializer_range", value: .number("0.02")),
            .init(key: "intermediate_size", value: n(intermediateSize)),
            .init(key: "max_position_embeddings", value: n(contextLength)),
        ]
        if !isQwen { m.append(.init(key: "mlp_bias", value: .bool(false))) }
        m += [
            .init(key: "model_type", value: .string(architecture)),
            .init(key: "num_attention_heads", value: n(headCount)),
            .init(key: "num_hidden_layers", value: n(layerCount)),
            .init(key: "num_key_value_heads", value: n(kvHeadCount)),
            .init(key: "pad_token_id", value: id(padTokenId)),
            .init(key: "rms_norm_eps", value: .number(Self.pythonFloat(rmsNormEps))),
            .init(key: "rope_parameters", value: .object([
                .init(key: "rope_theta", value: .number(Self.pythonFloat(ropeTheta))),
                .init(key: "rope_type", value: .string(ropeScaling.isEmpty ? "default" : "linear")),
            ] + ropeScaling)),
            .init(key: "tie_word_embeddings", value: .bool(tied)),
            .init(key: "use_cache", value: .bool(true)),
            .init(key: "vocab_size", value: n(vocabSize)),
        ]
        return OrderedJSON.object(m).serialized(style: .pythonIndented(2)) + [0x0A]
    }

    /// generation_config.json: the special ids generation needs.
    public func generationConfigJSON() -> [UInt8] {
        var m: [OrderedJSON.Member] = [.init(key: "_from_model_config", value: .bool(true))]
        if let bosTokenId { m.append(.init(key: "bos_token_id", value: .number(String(bosTokenId)))) }
        if let eosTokenId { m.append(.init(key: "eos_token_id", value: .number(String(eosTokenId)))) }
        if let padTokenId { m.append(.init(key: "pad_token_id", value: .number(String(padTokenId)))) }
        return OrderedJSON.object(m).serialized(style: .pythonIndented(2)) + [0x0A]
    }

    /// The f32 value as Python's `repr(float(x))` writes it (shortest round trip of the double).
    static func pythonFloat(_ x: Float) -> String {
        let s = "\(Double(x))"
        return s.contains(".") || s.contains("e") ? s : s + ".0"
    }
}

extension DType {
    /// torch's name for the dtype (`float32`, `bfloat16`, …), as config.json writes it.
    var torchName: String {
        switch self {
        case .f32: return "float32"
        case .f16: return "float16"
        case .bf16: return "bfloat16"
        case .f64: return "float64"
        default: return rawValue.lowercased()
        }
    }
}

extension LlamaGGUFMapping {
    /// The Hugging Face name of a llama.cpp tensor name (the inverse of `ggufName(for:)`).
    public static func hfName(forGGUF name: String) -> String? {
        let suffix: String
        if name.hasSuffix(".weight") { suffix = ".weight" } else if name.hasSuffix(".bias") { suffix = ".bias" } else { return nil }
        let stem = String(name.dropLast(suffix.count))
        if let g = globalNames.first(where: { $0.gguf == stem }) { return g.hf + suffix }
        guard let layer = layerIndex(ofGGUFName: stem), layer >= 0 else { return nil }
        let part = stem.dropFirst("blk.\(layer).".count)
        guard stem.hasPrefix("blk.\(layer)."), let m = layerNames.first(where: { $0.gguf == part }) else { return nil }
        return "model.layers.\(layer).\(m.hf)\(suffix)"
    }

    /// Undoes `permuteQK`: per head, row j·half + i comes back from row 2i + j.
    public static func unpermuteQK(_ data: inout [Float], rows: Int, cols: Int, heads: Int, tensor: String = "") throws {
        try data.withUnsafeMutableBufferPointer { try unpermuteQK($0, rows: rows, cols: cols, heads: heads, tensor: tensor) }
    }

    /// `unpermuteQK` in place on a buffer (one head's rows copied aside at a time).
    public static func unpermuteQK(_ data: UnsafeMutableBufferPointer<Float>, rows: Int, cols: Int, heads: Int, tensor: String = "") throws {
        guard heads > 0, rows > 0, cols >= 0, rows % (2 * heads) == 0, rows.multipliedReportingOverflow(by: cols) == (data.count, false) else {
            throw FormatError.invalidShape(path: "", tensor: tensor,
                                           reason: "cannot undo the Q/K permutation of \(data.count) values as \(rows)×\(cols) over \(heads) heads")
        }
        guard let d = data.baseAddress else { return }
        let perHead = rows / heads, half = perHead / 2
        var head = [Float](repeating: 0, count: perHead * cols)
        head.withUnsafeMutableBufferPointer { buffer in
            guard let s = buffer.baseAddress else { return }
            for h in 0..<heads {
                s.update(from: d + h * perHead * cols, count: perHead * cols)
                for i in 0..<half {
                    for j in 0..<2 {
                        let to = h * perHead + j * half + i, from = 2 * i + j
                        (d + to * cols).update(from: s + from * cols, count: cols)
                    }
                }
            }
        }
    }
}
