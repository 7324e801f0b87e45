import Foundation
import Testing
@testable import TemperFormats

@Suite struct GGUFLlamaMappingTests {
    @Test func namesFollowLlamaCpp() {
        let cases = [
            ("model.embed_tokens.weight", "token_embd.weight"), ("model.norm.weight", "output_norm.weight"),
            ("lm_head.weight", "output.weight"),
            ("model.layers.0.self_attn.q_proj.weight", "blk.0.attn_q.weight"),
            ("model.layers.1.self_attn.k_proj.weight", "blk.1.attn_k.weight"),
            ("model.layers.12.self_attn.v_proj.weight", "blk.12.attn_v.weight"),
            ("model.layers.3.self_attn.o_proj.weight", "blk.3.attn_output.weight"),
            ("model.layers.3.mlp.gate_proj.weight", "blk.3.ffn_gate.weight"),
            ("model.layers.3.mlp.up_proj.weight", "blk.3.ffn_up.weight"),
            ("model.layers.3.mlp.down_proj.weight", "blk.3.ffn_down.weight"),
            ("model.layers.3.input_layernorm.weight", "blk.3.attn_norm.weight"),
            ("model.layers.3.post_attention_layernorm.weight", "blk.3.ffn_norm.weight"),
            ("model.layers.0.self_attn.q_proj.bias", "blk.0.attn_q.bias"),
        ]
        for (hf, gguf) in cases { #expect(LlamaGGUFMapping.ggufName(for: hf) == gguf, "\(hf)") }
        for bad in ["model.layers.x.mlp.up_proj.weight", "model.layers.1.mlp.fc.weight", "model.embed_tokens", "foo.weight"] {
            #expect(LlamaGGUFMapping.ggufName(for: bad) == nil, "\(bad)")
        }
        #expect(LlamaGGUFMapping.isIgnored("model.layers.0.self_attn.rotary_emb.inv_freq"))
    }

    @Test func permutationMatchesConvertHfToGGUF() throws {
        let ref = try #require(try GGUFFixtures.json("permute_expected.json") as? [String: Any])
        let q = (0..<(32 * 6)).map(Float.init), k = (0..<(16 * 6)).map(Float.init), b = (0..<32).map(Float.init)
        #expect(try LlamaGGUFMapping.permuteQK(q, rows: 32, cols: 6, heads: 4).map(Int.init) == ref["q"] as? [Int])
        #expect(try LlamaGGUFMapping.permuteQK(k, rows: 16, cols: 6, heads: 2).map(Int.init) == ref["k"] as? [Int])
        #expect(try LlamaGGUFMapping.permuteQK(b, rows: 32, cols: 1, heads: 4).map(Int.init) == ref["q_bias"] as? [Int])
        #expect(throws: FormatError.self) { try LlamaGGUFMapping.permuteQK(b, rows: 30, cols: 1, heads: 4) }
        let config = TinyLlama.config
        #expect(LlamaGGUFMapping.permutationHeads(for: "model.layers.0.self_attn.k_proj.weight", config: config) == 2)
        #expect(LlamaGGUFMapping.permutationHeads(for: "model.layers.0.self_attn.q_proj.weight", config: config) == 4)
        #expect(LlamaGGUFMapping.permutationHeads(for: "model.layers.0.self_attn.v_proj.weight", config: config) == nil)
    }

    @Test func tensorTypesFollowConvertRules() {
        let t = LlamaGGUFMapping.tensorType
        #expect(t("blk.0.attn_norm.weight", [64], .q8_0) == .f32)
        #expect(t("blk.0.attn_q.weight", [64, 64], .q8_0) == .q8_0)
        #expect(t("blk.0.attn_q.weight", [64, 64], .q4_0) == .q4_0)
        #expect(t("blk.0.ffn_down.weight", [64, 80], .q4_0) == .f16)
        #expect(t("blk.0.ffn_down.weight", [64, 80], .bf16) == .bf16)
        #expect(t("blk.0.attn_q.bias", [64], .f16) == .f32)
        #expect(t("token_embd.weight", [50, 64], .f16) == .f16)
        #expect(LlamaGGUFOutputType.allCases.map(\.fileType) == [0, 1, 32, 7, 2])
    }

    @Test func ropeThetaAndScalingComeFromRopeParametersAsConvertHFToGGUFReadsThem() throws {
        let base = #"{"hidden_size": 64, "intermediate_size": 80, "num_hidden_layers": 2, "num_attention_heads": 4,"#
            + #""max_position_embeddings": 128, "rms_norm_eps": 1e-05, "vocab_size": 64, "model_type": "llama", "#
        func decode(_ tail: String) throws -> LlamaGGUFConfig { try LlamaGGUFConfig.decode(configJSON: Data((base + tail + "}").utf8)) }
        // transformers 5: rope_parameters wins over a top-level rope_theta.
        #expect(try decode(#""rope_theta": 1.0, "rope_parameters": {"rope_theta": 100000.0, "rope_type": "default"}"#).ropeTheta == 100000)
        #expect(try decode(#""rope_theta": 250000.0"#).ropeTheta == 250000)
        let linear = try decode(#""rope_scaling": {"type": "linear", "factor": 4.0}"#)
        #expect(linear.ropeScaling == .linear(factor: 4) && linear.ropeTheta == 10000)
        let tokenizer = try Data(contentsOf: GGUFFixtures.root.appendingPathComponent("Fixtures/tiny-llama/tokenizer.json"))
        let kv = try LlamaGGUFExport.metadata(config: linear, tokenizerJSON: tokenizer, outputType: .f32)
        #expect(kv.contains(GGUFKeyValue("llama.rope.scaling.type", .string("linear"))))
        #expect(kv.contains(GGUFKeyValue("llama.rope.scaling.factor", .float32(4))))
        let llama3 = try decode(#""rope_parameters": {"rope_theta": 500000.0, "rope_type": "llama3", "factor": 8.0}"#)
        #expect(llama3.ropeScaling == .llama3(factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalContext: 8192))
        #expect(throws: FormatError.self) { try decode(#""rope_parameters": {"rope_type": "yarn", "factor": 4.0}"#) }
        for refused in ["longrope", "dynamic", "su"] {
            #expect(throws: FormatError.self) { try decode(#""rope_parameters": {"rope_theta": 500000.0, "rope_type": "\#(refused)", "factor": 8.0}"#) }
        }
    }

    @Test func configDecodesFromConfigJSON() throws {
        let json = #"{"hidden_size": 64, "intermediate_size": 80, "num_hidden_layers": 2, "num_attention_heads": 4,"#
            + #""num_key_value_heads": 2, "max_position_embeddings": 128, "rms_norm_eps": 1e-05, "vocab_size": 64,"#
            + #""bos_token_id": 1, "eos_token_id": [2, 3], "model_type": "llama", "rope_theta": 500000.0}"#
        let c = try LlamaGGUFConfig.decode(configJSON: Data(json.utf8), name: "tiny")
        #expect(c.hiddenSize == 64 && c.numKeyValueHeads == 2 && c.ropeTheta == 500000 && c.ropeDimensionCount == 16)
        #expect(c.bosTokenId == 1 && c.eosTokenId == nil && c.name == "tiny")
        #expect(throws: FormatError.self) { try LlamaGGUFConfig.decode(configJSON: Data(#"{"hidden_size": 64}"#.utf8)) }
        let odd = json.replacingOccurrences(of: #""num_key_value_heads": 2"#, with: #""num_key_value_heads": 3"#)
        #expect(throws: FormatError.self) { try LlamaGGUFConfig.decode(configJSON: Data(odd.utf8)) }
    }

    @Test func wordLevelBecomesBertVocabulary() throws {
        let kv = try LlamaGGUFTokenizer.metadata(tokenizerJSON: TinyLlama.wordLevelTokenizer, config: TinyLlama.config)
        let m = Dictionary(kv.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(m["tokenizer.ggml.model"] == .string("bert"))
        let tokenValues = m["tokenizer.ggml.tokens"]?.arrayValue ?? []
        let typeValues = m["tokenizer.ggml.token_type"]?.arrayValue ?? []
        let tokens = tokenValues.compactMap(\.stringValue), types = typeValues.compactMap(\.integerValue)
        #expect(tokens.count == 64 && types.count == 64)
        #expect(Array(tokens[0..<5]) == ["<pad>", "<bos>", "<eos>", "<unk>", "\u{2581}w0"])
        #expect(Array(types[0..<5]) == [3, 3, 3, 3, 1])
        #expect(tokens[63] == "[PAD63]" && types[63] == 5)
        #expect(m["tokenizer.ggml.unknown_token_id"] == .uint32(3) && m["tokenizer.ggml.bos_token_id"] == .uint32(1))
        #expect(m["tokenizer.ggml.add_bos_token"] == .bool(true) && m["tokenizer.ggml.add_eos_token"] == nil)
        #expect(m["tokenizer.ggml.scores"] == nil && m["tokenizer.ggml.merges"] == nil)
    }

    @Test func bpeTokenizersBecomeGPT2OrLlama() throws {
        let byteLevel = #"{"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2, "Ġa": 3},"#
            + #""merges": [["a", "b"], ["Ġ", "a"], ["a b", "c"]]}, "added_tokens": [{"id": 4, "content": "<|end|>", "special": false}]}"#
        var config = TinyLlama.config
        config.vocabSize = 6
        // The toy vocabulary cannot tokenize convert's check string: no tokenizer.ggml.pre
        // can be chosen, so the export refuses it (the fixture tests cover real tokenizers).
        #expect(throws: FormatError.self) { try LlamaGGUFTokenizer.metadata(tokenizerJSON: Data(byteLevel.utf8), config: config) }
        let g = try LlamaGGUFTokenizer.metadata(tokenizerJSON: Data(byteLevel.utf8), config: config, preTokenizer: "gpt-2")
        let gm = Dictionary(g.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(gm["tokenizer.ggml.model"] == .string("gpt2"))
        #expect(gm["tokenizer.ggml.merges"] == .array(.string, [.string("a b"), .string("Ġ a"), .string("a\u{0120}b c")]))
        #expect(gm["tokenizer.ggml.token_type"]?.arrayValue?.compactMap(\.integerValue) == [1, 1, 1, 1, 3, 5])
        let spm = #"{"model": {"type": "BPE", "byte_fallback": true, "vocab": {"<unk>": 0, "<s>": 1, "</s>": 2, "<0x0A>": 3, "▁a": 4}, "merges": [], "unk_token": "<unk>"},"#
            + #""decoder": {"type": "Sequence"}, "added_tokens": [{"id": 1, "content": "<s>", "special": true}, {"id": 5, "content": "<extra>", "special": false}],"#
            + #""post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>"}}, {"Sequence": {"id": "A"}}]}}"#
        // gguf-py LlamaHfVocab: CONTROL for transformers' all_special_tokens (here only the
        // tokenizer_config bos), not for tokenizer.json's `special` flag.
        let l = try LlamaGGUFTokenizer.metadata(tokenizerJSON: Data(spm.utf8), config: config,
                                                companions: LlamaGGUFCompanions(tokenizerConfigJSON: Data(#"{"bos_token": "<s>"}"#.utf8)))
        let lm = Dictionary(l.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(lm["tokenizer.ggml.model"] == .string("llama"))
        #expect(lm["tokenizer.ggml.token_type"]?.arrayValue?.compactMap(\.integerValue) == [1, 3, 1, 6, 1, 4])
        // SpecialVocab finds unk only through tokenizer_config.json's unk_token (none here).
        #expect(lm["tokenizer.ggml.scores"]?.arrayValue?.count == 6 && lm["tokenizer.ggml.unknown_token_id"] == nil)
        #expect(lm["tokenizer.ggml.add_bos_token"] == .bool(true))
        #expect(throws: FormatError.self) {
            try LlamaGGUFTokenizer.metadata(tokenizerJSON: Data(#"{"model": {"type": "Unigram", "vocab": []}}"#.utf8), config: config)
        }
        #expect(throws: FormatError.self) {
            try LlamaGGUFTokenizer.metadata(tokenizerJSON: Data(#"{"model": {"type": "WordLevel", "vocab": {"a": 99}}}"#.utf8), config: config)
        }
    }

    @Test(arguments: LlamaGGUFOutputType.allCases)
    func exportReadsBackWithPermutedData(_ outputType: LlamaGGUFOutputType) throws {
        let dir = try GGUFFixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("tiny-\(outputType.rawValue).gguf")
        let sources = TinyLlama.sources(seed: 11)
        let planned = try LlamaGGUFExport.write(to: url, tensors: sources, config: TinyLlama.config,
                                                tokenizerJSON: TinyLlama.wordLevelTokenizer, outputType: outputType)
        if let out = ProcessInfo.processInfo.environment["TEMPER_GGUF_INTEROP_DIR"] {
            try? FileManager.default.removeItem(atPath: out + "/" + url.lastPathComponent)
            try FileManager.default.copyItem(atPath: url.path, toPath: out + "/" + url.lastPathComponent)
        }
        let file = try GGUFFile(url: url)
        #expect(planned.count == sources.count - 1, "inv_freq is dropped")
        #expect(file.tensors.map(\.name) == planned.map(\.spec.name))
        #expect(file.value(forKey: "general.architecture") == .string("llama"))
        #expect(file.value(forKey: "general.file_type") == .uint32(outputType.fileType))
        #expect(file.value(forKey: "llama.attention.head_count_kv") == .uint32(2))
        #expect(file.value(forKey: "llama.rope.dimension_count") == .uint32(16))
        #expect(file.value(forKey: "llama.attention.layer_norm_rms_epsilon") == .float32(1e-5))
        for (p, info) in zip(planned, file.tensors) {
            #expect(info.shape == p.spec.shape && info.type == p.spec.type)
            let source = try #require(sources.first { $0.hfName == p.hfName })
            var expected = try source.data()
            if let heads = p.permutationHeads {
                expected = try LlamaGGUFMapping.permuteQK(expected, rows: p.spec.shape[0], cols: p.spec.shape.count > 1 ? p.spec.shape[1] : 1, heads: heads)
            }
            let got = try file.withBytes(of: info) { try Quantize.decode($0, as: info.type, count: expected.count) }
            let tolerance: Float = switch info.type { case .f32: 0; case .f16: 1e-3; case .bf16: 8e-3; case .q8_0: 2e-2; default: 0.3 }
            let worst = zip(got, expected).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= tolerance, "\(info.name) \(info.type.name): max error \(worst)")
        }
        let types = Dictionary(file.tensors.map { ($0.name, $0.type) }, uniquingKeysWith: { a, _ in a })
        #expect(types["blk.0.attn_norm.weight"] == .f32 && types["output_norm.weight"] == .f32)
        if outputType == .q4_0 || outputType == .q8_0 { #expect(types["blk.1.ffn_down.weight"] == .f16, "row of 80 falls back to F16") }
    }

    @Test func exportRefusesWrongShapesAndUnknownNames() throws {
        let dir = try GGUFFixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("bad.gguf")
        var sources = TinyLlama.sources(seed: 1)
        sources[1].shape = [64, 63]
        #expect(throws: FormatError.self) {
            try LlamaGGUFExport.write(to: url, tensors: sources, config: TinyLlama.config, tokenizerJSON: TinyLlama.wordLevelTokenizer, outputType: .f16)
        }
        let unknown = [LlamaGGUFTensorSource(hfName: "model.vision.weight", shape: [2]) { [0, 0] }]
        #expect(throws: FormatError.self) {
            try LlamaGGUFExport.write(to: url, tensors: unknown, config: TinyLlama.config, tokenizerJSON: TinyLlama.wordLevelTokenizer, outputType: .f16)
        }
        let short = [LlamaGGUFTensorSource(hfName: "model.norm.weight", shape: [64]) { [1, 2] }]
        #expect(throws: FormatError.self) {
            try LlamaGGUFExport.write(to: url, tensors: short, config: TinyLlama.config, tokenizerJSON: TinyLlama.wordLevelTokenizer, outputType: .f16)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty, "failed exports leave nothing")
    }
}

/// A tiny random Llama: 2 layers, hidden 64, 4 heads, 2 KV heads, FFN 80, vocab 64.
enum TinyLlama {
    static let config = LlamaGGUFConfig(name: "tiny-llama", hiddenSize: 64, intermediateSize: 80, numHiddenLayers: 2,
                                        numAttentionHeads: 4, numKeyValueHeads: 2, maxPositionEmbeddings: 128,
                                        rmsNormEps: 1e-5, vocabSize: 64, bosTokenId: 1, eosTokenId: 2, padTokenId: 0)

    static let wordLevelTokenizer: Data = {
        var vocab = ["<pad>": 0, "<bos>": 1, "<eos>": 2, "<unk>": 3]
        for i in 0..<56 { vocab["w\(i)"] = i + 4 }
        let added = ["<pad>", "<bos>", "<eos>", "<unk>"].enumerated().map {
            ["id": $0.offset, "content": $0.element, "special": true, "normalized": false] as [String: Any]
        }
        let root: [String: Any] = [
            "version": "1.0", "added_tokens": added, "normalizer": NSNull(),
            "pre_tokenizer": ["type": "Whitespace"],
            "post_processor": ["type": "TemplateProcessing",
                               "single": [["SpecialToken": ["id": "<bos>", "type_id": 0]], ["Sequence": ["id": "A", "type_id": 0]]],
                               "pair": [] as [Any], "special_tokens": [:] as [String: Any]],
            "decoder": NSNull(),
            "model": ["type": "WordLevel", "vocab": vocab, "unk_token": "<unk>"],
        ]
        return (try? JSONSerialization.data(withJSONObject: root, options: [.sortedKeys])) ?? Data()
    }()

    static func sources(seed: UInt64) -> [LlamaGGUFTensorSource] {
        let c = config
        var shapes: [(String, [Int])] = [("model.embed_tokens.weight", [c.vocabSize, c.hiddenSize])]
        for l in 0..<c.numHiddenLayers {
            let p = "model.layers.\(l)."
            shapes += [(p + "self_attn.q_proj.weight", [64, 64]), (p + "self_attn.k_proj.weight", [32, 64]),
                       (p + "self_attn.v_proj.weight", [32, 64]), (p + "self_attn.o_proj.weight", [64, 64]),
                       (p + "mlp.gate_proj.weight", [80, 64]), (p + "mlp.up_proj.weight", [80, 64]),
                       (p + "mlp.down_proj.weight", [64, 80]), (p + "input_layernorm.weight", [64]),
                       (p + "post_attention_layernorm.weight", [64])]
        }
        shapes += [("model.layers.0.self_attn.rotary_emb.inv_freq", [8]), ("model.norm.weight", [64]), ("lm_head.weight", [64, 64])]
        return shapes.enumerated().map { index, entry in
            LlamaGGUFTensorSource(hfName: entry.0, shape: entry.1) {
                var rng = SplitMix(seed: seed &+ UInt64(index))
                return (0..<entry.1.reduce(1, *)).map { _ in Float(Int64(rng.next() % 2001) - 1000) / 1000 }
            }
        }
    }
}
