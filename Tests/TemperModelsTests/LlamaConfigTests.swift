import Foundation
import Testing
@testable import TemperModels

/// config.json decoding for the Llama family (transformers 4.x and 5.x layouts) and the
/// typed errors for bad or unsupported configs.
@Suite struct LlamaConfigTests {
    static let base = """
    "vocab_size": 100, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
    "num_attention_heads": 4
    """

    func decode(_ body: String) throws -> LlamaConfig {
        try LlamaConfig(data: Data("{\(body)}".utf8), path: "config.json")
    }

    @Test func defaultsAndDerivedSizes() throws {
        let c = try decode(#""model_type": "llama", "# + Self.base)
        #expect(c.kvHeadCount == 4 && c.headDim == 16)
        #expect(c.rope == RoPEConfig(theta: 10_000))
        #expect(!c.tieWordEmbeddings && !c.qkvBias && !c.outputBias && !c.mlpBias)
        #expect(c.eosTokenIds == [] && c.bosTokenId == nil)
    }

    @Test func transformers4And5RopeLayoutsAgree() throws {
        let head = #""model_type": "llama", "# + Self.base
        let v5 = try decode(head + #", "rope_parameters": {"rope_type": "llama3", "rope_theta": 500000.0, "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}"#)
        let v4 = try decode(head + #", "rope_theta": 500000, "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}"#)
        let old = try decode(head + #", "rope_theta": 500000, "rope_scaling": {"type": "llama3", "factor": 8, "low_freq_factor": 1, "high_freq_factor": 4}, "max_position_embeddings": 8192"#)
        let expected = RoPEConfig(theta: 500_000, scaling: .llama3(factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192))
        #expect(v5.rope == expected && v4.rope == expected && old.rope == expected)
        let plain = try decode(#""model_type": "llama", "rope_theta": 1000000.0, "# + Self.base)
        #expect(plain.rope.theta == 1_000_000)
    }

    @Test func familyFlagsAndTokenIds() throws {
        let qwen = try decode(#""model_type": "qwen2", "num_key_value_heads": 2, "eos_token_id": [5, 6], "bos_token_id": null, "# + Self.base)
        #expect(qwen.qkvBias && !qwen.outputBias && qwen.kvHeadCount == 2 && qwen.eosTokenIds == [5, 6])
        let llama = try decode(#""model_type": "llama", "attention_bias": true, "mlp_bias": true, "head_dim": 32, "tie_word_embeddings": true, "# + Self.base)
        #expect(llama.qkvBias && llama.outputBias && llama.mlpBias && llama.headDim == 32 && llama.tieWordEmbeddings)
        let mistral = try decode(#""model_type": "mistral", "sliding_window": 4096, "eos_token_id": 2, "# + Self.base)
        #expect(mistral.slidingWindow == 4096 && mistral.eosTokenIds == [2])
    }

    @Test func badConfigsAreTypedErrors() throws {
        func expectError(_ body: String, _ matches: (ModelError) -> Bool) {
            do {
                _ = try decode(body)
                Issue.record("no error for \(body)")
            } catch let error as ModelError {
                #expect(matches(error), "\(error)")
            } catch {
                Issue.record("untyped error \(error)")
            }
        }
        expectError(#""model_type": "llama", "hidden_size": 64"#) {
            if case let .invalidConfigField(_, field, reason) = $0 { return field == "vocab_size" && reason == "missing" } else { return false }
        }
        expectError(#""model_type": "llama", "num_key_value_heads": "two", "# + Self.base) {
            if case let .invalidConfigField(_, field, _) = $0 { return field == "num_key_value_heads" } else { return false }
        }
        expectError(#""model_type": "llama", "num_key_value_heads": 3, "# + Self.base) {
            if case .invalidConfigField(_, "num_key_value_heads", _) = $0 { return true } else { return false }
        }
        expectError(#""model_type": "llama", "hidden_act": "gelu", "# + Self.base) {
            $0 == .unsupportedConfig(path: "config.json", field: "hidden_act", value: "gelu")
        }
        expectError(#""model_type": "llama", "rope_parameters": {"rope_type": "yarn", "factor": 2}, "# + Self.base) {
            $0 == .unsupportedConfig(path: "config.json", field: "rope_parameters.rope_type", value: "yarn")
        }
        expectError(#""model_type": "llama", "rope_parameters": {"rope_type": "llama3", "factor": 2}, "# + Self.base) {
            if case .invalidConfigField(_, "rope_parameters.low_freq_factor", _) = $0 { return true } else { return false }
        }
        expectError(#""model_type": "qwen2", "use_sliding_window": true, "# + Self.base) {
            $0 == .unsupportedConfig(path: "config.json", field: "use_sliding_window", value: "true")
        }
        expectError(#""model_type": "phi", "# + Self.base) { $0 == .unsupportedModelType(path: "config.json", modelType: "phi") }
        expectError(#""model_type": "llama", "vocab_size": 0, "hidden_size": 64, "intermediate_size": 1, "num_hidden_layers": 1, "num_attention_heads": 1"#) {
            if case .invalidConfigField(_, "vocab_size", _) = $0 { return true } else { return false }
        }
        expectError(#""model_type": "llama", "vocab_size": 4611686018427387904, "hidden_size": 4611686018427387904, "intermediate_size": 1, "num_hidden_layers": 1, "num_attention_heads": 1"#) {
            if case .invalidConfigField = $0 { return true } else { return false }
        }
        expectError(#""model_type": "llama", "eos_token_id": "two", "# + Self.base) {
            if case .invalidConfigField(_, "eos_token_id", _) = $0 { return true } else { return false }
        }
        #expect(throws: ModelError.self) { try LlamaConfig(data: Data("not json".utf8), path: "x") }
    }
}
