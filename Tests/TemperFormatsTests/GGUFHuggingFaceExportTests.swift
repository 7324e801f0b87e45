import Foundation
import Testing
@testable import TemperFormats

/// GGUF → Hugging Face folder on the tiny quantized Llama of make_gguf_hf_fixtures.py:
/// names, shapes and values (gguf-py dequantize + transformers' inverse Q/K permutation,
/// by FNV-1a of the f32 bytes), config and tokenizer files.
@Suite struct GGUFHuggingFaceExportTests {
    static let gguf = GGUFFixtures.url("hf/tiny-llama-q.gguf")

    func export(dtype: DType = .f32) throws -> (URL, ConversionSummary) {
        let dir = try GGUFFixtures.tempDir()
        let summary = try GGUFHuggingFaceExport.write(try GGUFFile(url: Self.gguf), to: dir, dtype: dtype)
        return (dir, summary)
    }

    static let split = (1...3).map { GGUFFixtures.url("hf/tiny-llama-q-split-0000\($0)-of-00003.gguf") }

    @Test(arguments: [("tiny-llama-q.gguf", "expected.json"), ("tiny-llama-q-split-00001-of-00003.gguf", "expected.json"),
                      ("tiny-qwen2-q.gguf", "expected-qwen2.json")])
    func tensorsMatchTransformersGGUFLoading(_ gguf: String, _ expectation: String) throws {
        let dir = try GGUFFixtures.tempDir()
        let summary = try GGUFHuggingFaceExport.write(try GGUFFile(url: GGUFFixtures.url("hf/" + gguf)), to: dir)
        defer { try? FileManager.default.removeItem(at: dir) }
        let expected = try #require((try GGUFFixtures.json("hf/" + expectation) as? [String: Any])?["tensors"] as? [[String: Any]])
        let file = try SafetensorsFile(url: dir.appendingPathComponent("model.safetensors"))
        #expect(file.tensors.map(\.name) == expected.compactMap { $0["hf"] as? String })
        #expect(summary.tensors == expected.count)
        for row in expected {
            let name = try #require(row["hf"] as? String)
            let record = try #require(file.record(named: name))
            #expect(record.dtype == .f32)
            #expect(record.shape == row["shape"] as? [Int], "\(name) shape")
            let digest = String(format: "%016lx", Self.fnv1a64(try file.load(record)))
            #expect(digest == row["fnv1a64_f32"] as? String, "\(name) (\(row["type"] ?? "")) values differ")
        }
    }

    static func fnv1a64(_ bytes: [UInt8]) -> UInt64 {
        bytes.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
    }

    @Test func configIsTransformersStyle() throws {
        let (dir, _) = try export(dtype: .bf16)
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("config.json"))) as? [String: Any])
        let want = try #require((try GGUFFixtures.json("hf/expected.json") as? [String: Any])?["config"] as? [String: Any])
        for key in ["model_type", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
                    "num_key_value_heads", "head_dim", "max_position_embeddings", "vocab_size", "tie_word_embeddings",
                    "bos_token_id", "eos_token_id", "pad_token_id"] {
            #expect("\(config[key] ?? "missing")" == "\(want[key] ?? "missing")", "\(key)")
        }
        #expect(config["rms_norm_eps"] as? Double == want["rms_norm_eps"] as? Double)
        let rope = try #require(config["rope_parameters"] as? [String: Any])
        #expect(rope["rope_theta"] as? Double == 100000 && rope["rope_type"] as? String == "default")
        #expect(config["dtype"] as? String == "bfloat16")
        #expect(config["architectures"] as? [String] == ["LlamaForCausalLM"])
        let weights = try SafetensorsFile(url: dir.appendingPathComponent("model.safetensors"))
        #expect(weights.tensors.allSatisfy { $0.dtype == .bf16 })
    }

    @Test func qwen2ConfigHasItsArchitectureAndNoLlamaKeys() throws {
        let dir = try GGUFFixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try GGUFHuggingFaceExport.write(try GGUFFile(url: GGUFFixtures.url("hf/tiny-qwen2-q.gguf")), to: dir)
        let config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("config.json"))) as? [String: Any])
        #expect(config["model_type"] as? String == "qwen2" && config["architectures"] as? [String] == ["Qwen2ForCausalLM"])
        #expect(config["attention_bias"] == nil && config["mlp_bias"] == nil)
    }

    @Test func tokenizerFilesComeFromTheGGUFVocabulary() throws {
        let (dir, _) = try export()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tok = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("tokenizer.json"))) as? [String: Any])
        let model = try #require(tok["model"] as? [String: Any])
        let vocab = try #require(model["vocab"] as? [String: Int])
        #expect(vocab.count == 299 && vocab["<|im_start|>"] == 1 && vocab["Ġthe"] != nil)
        #expect((model["merges"] as? [String])?.first == "Ġ t")
        let added = try #require(tok["added_tokens"] as? [[String: Any]])
        #expect(added.compactMap { $0["content"] as? String } == ["<|endoftext|>", "<|im_start|>", "<|im_end|>"])
        let pre = try #require(tok["pre_tokenizer"] as? [String: Any])
        let steps = try #require(pre["pretokenizers"] as? [[String: Any]])
        #expect(steps.compactMap { $0["type"] as? String } == ["Digits", "ByteLevel"])
        let config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("tokenizer_config.json"))) as? [String: Any])
        #expect((config["chat_template"] as? String)?.hasPrefix("{% for m in messages %}") == true)
        #expect(config["bos_token"] as? String == "<|im_start|>" && config["eos_token"] as? String == "<|im_end|>")
        #expect(config["add_bos_token"] as? Bool == false)
    }

    /// transformers 5.24 `generate_merges(vocab, dict(zip(tokens, scores)))` printed this list
    /// for the same input (ties in score broken by longer left, longer right, then order).
    @Test func sentencePieceMergesFollowTransformers() {
        let tokens = ["<unk>", "▁", "a", "b", "c", "ab", "bc", "abc", "▁a", "▁ab", "▁abc", "ca"]
        let scores: [Float] = [0, -1, -2, -3, -4, -5, -5, -6, -7, -8, -9, -5]
        let merges = GGUFTokenizerJSON.generateMerges(tokens: tokens, scores: scores).map { "\($0.0) \($0.1)" }
        #expect(merges == ["a b", "b c", "c a", "ab c", "a bc", "▁ a", "▁a b", "▁ ab", "▁ab c", "▁a bc", "▁ abc"])
    }

    @Test func unpermuteUndoesPermute() throws {
        let rows = 16, cols = 3
        let data = (0..<(rows * cols)).map(Float.init)
        var back = try LlamaGGUFMapping.permuteQK(data, rows: rows, cols: cols, heads: 2)
        try LlamaGGUFMapping.unpermuteQK(&back, rows: rows, cols: cols, heads: 2)
        #expect(back == data)
        #expect(throws: FormatError.self) { var odd: [Float] = [1, 2, 3]; try LlamaGGUFMapping.unpermuteQK(&odd, rows: 3, cols: 1, heads: 2) }
    }

    @Test func namesInvertTheExportMapping() {
        for hf in ["model.embed_tokens.weight", "lm_head.weight", "model.norm.weight", "model.layers.7.self_attn.k_proj.bias",
                   "model.layers.0.mlp.down_proj.weight", "model.layers.12.post_attention_layernorm.weight"] {
            let gguf = LlamaGGUFMapping.ggufName(for: hf)
            #expect(gguf.flatMap(LlamaGGUFMapping.hfName(forGGUF:)) == hf, "\(hf) → \(gguf ?? "nil")")
        }
        for bad in ["blk.x.attn_q.weight", "blk.0.attn_qq.weight", "rope_freqs.weight", "blk.0.attn_q"] {
            #expect(LlamaGGUFMapping.hfName(forGGUF: bad) == nil, "\(bad)")
        }
    }

    @Test func magicBytesDecideTheFormat() throws {
        let dir = try GGUFFixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let renamed = dir.appendingPathComponent("weights.safetensors")
        try FileManager.default.copyItem(at: Self.gguf, to: renamed)
        #expect(try GGUFFile.hasMagic(renamed))
        let input = try ConversionInput(url: renamed)
        #expect(input.gguf != nil)
        #expect(try !GGUFFile.hasMagic(dir))
    }

    @Test func splitShardsAreCheckedAndCombined() throws {
        let shards = try GGUFSplit.shards(of: try GGUFFile(url: Self.split[0]))
        #expect(shards.map(\.tensors.count).reduce(0, +) == (try GGUFFile(url: Self.gguf)).tensors.count)
        let input = try ConversionInput(url: Self.split[0])
        #expect(input.tensors.count == 20)
        #expect(throws: FormatError.self) { _ = try GGUFSplit.shards(of: try GGUFFile(url: Self.split[1])) }
        let dir = try GGUFFixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        for i in [0, 2] { try FileManager.default.copyItem(at: Self.split[i], to: dir.appendingPathComponent(Self.split[i].lastPathComponent)) }
        #expect {
            _ = try GGUFSplit.shards(of: try GGUFFile(url: dir.appendingPathComponent(Self.split[0].lastPathComponent)))
        } throws: { error in
            guard case let .missingShard(_, shard) = error as? FormatError else { return false }
            return shard == "tiny-llama-q-split-00002-of-00003.gguf"
        }
    }

    @Test func unsupportedTokenizerIsRefusedBeforeWriting() throws {
        // kv_types.gguf has no tokenizer.ggml.* and an unknown architecture.
        let dir = try GGUFFixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: FormatError.self) { try GGUFHuggingFaceExport.write(try GGUFFile(url: GGUFFixtures.url("kv_types.gguf")), to: dir) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }
}
