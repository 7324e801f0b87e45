import Foundation

/// One Hugging Face tensor offered to the export: its name, shape (outermost-first) and a
/// closure that yields its values as row-major f32 when the writer reaches it, so only one
/// tensor is in memory at a time. The caller wires the closures to its weight reader.
public struct LlamaGGUFTensorSource {
    public var hfName: String
    public var shape: [Int]
    public var data: () throws -> [Float]

    public init(hfName: String, shape: [Int], data: @escaping () throws -> [Float]) {
        self.hfName = hfName; self.shape = shape; self.data = data
    }
}

/// Writes a Hugging Face Llama checkpoint as a llama.cpp-loadable GGUF, the way
/// convert_hf_to_gguf does: same tensor names, Q/K permutation, tensor types and metadata.
public enum LlamaGGUFExport {
    /// A tensor as it will be written.
    public struct PlannedTensor: Sendable, Equatable {
        public var hfName: String
        public var spec: GGUFTensorSpec
        /// Heads of the Q/K permutation applied before encoding, if any.
        public var permutationHeads: Int?
    }

    /// The metadata in convert_hf_to_gguf's order: general.* (architecture, type, sampling,
    /// name), the `{arch}.*` hyperparameters as TextModel.set_gguf_parameters writes them
    /// (llama.cpp conversion/base.py; LlamaModel adds vocab_size and rope.dimension_count,
    /// conversion/llama.py), file type, quantization version, then tokenizer.*.
    public static func metadata(config c: LlamaGGUFConfig, tokenizerJSON: Data, outputType: LlamaGGUFOutputType,
                                tokenizerPath: String = "tokenizer.json",
                                companions: LlamaGGUFCompanions = LlamaGGUFCompanions(), totalParams: Int = 0) throws -> [GGUFKeyValue] {
        try c.validate()
        let a = c.architecture
        func u32(_ v: Int) -> GGUFValue { .uint32(UInt32(v)) }
        var kv: [GGUFKeyValue] = [
            GGUFKeyValue("general.architecture", .string(a)),
            GGUFKeyValue("general.type", .string("model")),
        ]
        kv += GGUFModelMetadata.derive(folderName: companions.folderName ?? c.name, configJSON: companions.configJSON,
                                       generationConfigJSON: companions.generationConfigJSON, readme: companions.readme,
                                       totalParams: totalParams).keyValues
        kv += [
            GGUFKeyValue("\(a).block_count", u32(c.numHiddenLayers)),
            GGUFKeyValue("\(a).context_length", u32(c.maxPositionEmbeddings)),
            GGUFKeyValue("\(a).embedding_length", u32(c.hiddenSize)),
            GGUFKeyValue("\(a).feed_forward_length", u32(c.intermediateSize)),
            GGUFKeyValue("\(a).attention.head_count", u32(c.numAttentionHeads)),
            GGUFKeyValue("\(a).attention.head_count_kv", u32(c.numKeyValueHeads)),
        ]
        kv += c.ropeScaling.metadata(arch: a)
        kv += [
            GGUFKeyValue("\(a).rope.freq_base", .float32(Float(c.ropeTheta))),
            GGUFKeyValue("\(a).attention.layer_norm_rms_epsilon", .float32(Float(c.rmsNormEps))),
        ]
        // transformers' LlamaConfig/MistralConfig always carry head_dim (hidden / heads when
        // config.json has none); Qwen2Config only when config.json names it.
        if let hd = c.architecture == "llama" ? c.ropeDimensionCount : c.headDim {
            kv.append(GGUFKeyValue("\(a).attention.key_length", u32(hd)))
            kv.append(GGUFKeyValue("\(a).attention.value_length", u32(hd)))
        }
        kv.append(GGUFKeyValue("general.file_type", .uint32(outputType.fileType)))
        if a == "llama" {
            kv.append(GGUFKeyValue("\(a).vocab_size", u32(c.vocabSize)))
            kv.append(GGUFKeyValue("\(a).rope.dimension_count", u32(c.ropeDimensionCount)))
        }
        kv.append(GGUFKeyValue("general.quantization_version", .uint32(2)))
        return kv + (try LlamaGGUFTokenizer.metadata(tokenizerJSON: tokenizerJSON, config: c, path: tokenizerPath, companions: companions))
    }

    /// gguf-py `GGUFWriter.get_total_parameter_count`'s total for a dense model: every
    /// written tensor's element count (rope_freqs included), which `general.size_label` rounds.
    public static func parameterCount(_ planned: [PlannedTensor]) -> Int {
        planned.reduce(0) { $0 + $1.spec.shape.reduce(1, *) }
    }

    /// convert_hf_to_gguf's tensor order (llama.cpp conversion/base.py `index_tensors`, gguf-py
    /// utility.py `SafetensorsLocal`): the model parts in sorted file-name order (the index's
    /// `weight_map` values, sorted), and within each part the tensors sorted by name — not the
    /// safetensors header or offset order. `key` gives each item's part file and HF name; Python
    /// compares strings by code point, which is UTF-8 byte order. `plan` keeps the order it is given.
    public static func convertOrder<T>(_ items: [T], key: (T) -> (file: String, name: String)) -> [T] {
        let keyed = items.map { (key($0), $0) }
        return keyed.sorted { a, b in
            a.0.file != b.0.file ? a.0.file.utf8.lexicographicallyPrecedes(b.0.file.utf8) : a.0.name.utf8.lexicographicallyPrecedes(b.0.name.utf8)
        }.map(\.1)
    }

    /// `rope_freqs.weight` (llama3 RoPE scaling), planned first as LlamaModel.generate_extra_tensors
    /// yields it before the checkpoint's tensors.
    static let ropeFreqsName = "rope_freqs.weight"

    /// Maps names, checks shapes against the config and picks each tensor's GGUF type.
    /// Tensors convert_hf_to_gguf ignores (`rotary_emb.inv_freq`, …) are dropped.
    /// `source` names the input in errors. The config must describe exactly the tensors given
    /// (every layer present, embedding rows = vocab_size): nothing is sized from it before.
    public static func plan(_ tensors: [LlamaGGUFTensorSource], config: LlamaGGUFConfig,
                            outputType: LlamaGGUFOutputType, source: String = "") throws -> [PlannedTensor] {
        try config.validate()
        var out: [PlannedTensor] = []
        if let freqs = config.ropeScaling.ropeFreqs(theta: config.ropeTheta, headDim: config.ropeDimensionCount) {
            out.append(PlannedTensor(hfName: ropeFreqsName, spec: GGUFTensorSpec(name: ropeFreqsName, shape: [freqs.count], type: .f32),
                                     permutationHeads: nil))
        }
        var layers = Set<Int>()
        for t in tensors where !LlamaGGUFMapping.isIgnored(t.hfName) {
            guard let name = LlamaGGUFMapping.ggufName(for: t.hfName) else {
                throw FormatError.unsupportedConversion(tensor: t.hfName, from: "Hugging Face Llama", to: "GGUF (no llama.cpp tensor name)")
            }
            if let layer = LlamaGGUFMapping.layerIndex(ofGGUFName: name) {
                guard layer < config.numHiddenLayers else {
                    throw FormatError.invalidShape(path: source, tensor: t.hfName, reason: "layer \(layer) but num_hidden_layers is \(config.numHiddenLayers)")
                }
                layers.insert(layer)
            }
            if let expected = LlamaGGUFMapping.expectedShape(ggufName: name, config: config), expected != t.shape {
                throw FormatError.invalidShape(path: source, tensor: t.hfName, reason: "shape \(t.shape), config implies \(expected)")
            }
            let type = LlamaGGUFMapping.tensorType(ggufName: name, shape: t.shape, outputType: outputType)
            out.append(PlannedTensor(hfName: t.hfName, spec: GGUFTensorSpec(name: name, shape: t.shape, type: type),
                                     permutationHeads: LlamaGGUFMapping.permutationHeads(for: t.hfName, config: config)))
        }
        if layers.count != config.numHiddenLayers {
            let missing = (0..<config.numHiddenLayers).first { !layers.contains($0) } ?? 0
            throw FormatError.invalidContent(path: source + "/config.json",
                                             rule: "num_hidden_layers = \(config.numHiddenLayers) but the weights hold \(layers.count) layers (layer \(missing) is missing)")
        }
        return out
    }

    /// Writes the GGUF atomically: metadata, tensor infos, then each tensor's data in turn
    /// (fetched, permuted, encoded, written, released). Returns what was written.
    @discardableResult
    public static func write(to url: URL, tensors: [LlamaGGUFTensorSource], config: LlamaGGUFConfig,
                             tokenizerJSON: Data, outputType: LlamaGGUFOutputType, source: String = "",
                             companions: LlamaGGUFCompanions = LlamaGGUFCompanions()) throws -> [PlannedTensor] {
        // Plan first: it checks the config against the tensors before the tokenizer
        // metadata is sized from vocab_size.
        let planned = try plan(tensors, config: config, outputType: outputType, source: source)
        let kv = try metadata(config: config, tokenizerJSON: tokenizerJSON, outputType: outputType,
                              tokenizerPath: source.isEmpty ? "tokenizer.json" : source + "/tokenizer.json", companions: companions,
                              totalParams: parameterCount(planned))
        var sources = Dictionary(tensors.map { ($0.hfName, $0) }, uniquingKeysWith: { a, _ in a })
        if let freqs = config.ropeScaling.ropeFreqs(theta: config.ropeTheta, headDim: config.ropeDimensionCount) {
            sources[ropeFreqsName] = LlamaGGUFTensorSource(hfName: ropeFreqsName, shape: [freqs.count]) { freqs }
        }
        let writer = GGUFWriter(url: url)
        do {
            try writer.writeHeader(metadata: kv, tensorCount: planned.count)
            try writer.writeTensorInfos(planned.map(\.spec))
            for p in planned {
                guard let source = sources[p.hfName] else { throw FormatError.writerState(expected: p.hfName, got: "no source") }
                var values = try source.data()
                let count = p.spec.shape.reduce(1, *)
                guard values.count == count else {
                    throw FormatError.invalidShape(path: url.path, tensor: p.hfName, reason: "\(values.count) values for shape \(p.spec.shape)")
                }
                if let heads = p.permutationHeads {
                    let cols = p.spec.shape.count > 1 ? p.spec.shape.dropFirst().reduce(1, *) : 1
                    values = try LlamaGGUFMapping.permuteQK(values, rows: p.spec.shape.first ?? 0, cols: cols, heads: heads, tensor: p.hfName)
                }
                let bytes = try Quantize.encode(values, as: p.spec.type, rowLength: max(p.spec.shape.last ?? 1, 1), tensor: p.hfName)
                try writer.writeTensorData(bytes)
            }
            try writer.finish()
        } catch {
            writer.abandon()
            throw error
        }
        return planned
    }
}
