import Foundation

/// config.json of a Llama-family model (llama, mistral, qwen2) as written: the one decoder of
/// its keys, shared by TemperModels' `LlamaConfig` (the model) and `LlamaGGUFConfig` (the GGUF
/// export), which each validate and default it for their job. Every member is optional or
/// required exactly as both readers need; nothing is defaulted here.
public struct LlamaConfigJSON: Decodable, Sendable, Equatable {
    public var model_type: String?
    public var vocab_size: Int, hidden_size: Int, intermediate_size: Int
    public var num_hidden_layers: Int, num_attention_heads: Int
    public var num_key_value_heads: Int?, head_dim: Int?
    public var rms_norm_eps: Double?
    public var rope_theta: Double?
    /// transformers 5 (`rope_parameters`) and 4.x (`rope_scaling`) RoPE settings.
    public var rope_parameters: RopeFields?, rope_scaling: RopeFields?
    public var max_position_embeddings: Int?
    public var tie_word_embeddings: Bool?
    public var attention_bias: Bool?, mlp_bias: Bool?
    public var hidden_act: String?
    public var sliding_window: Int?, use_sliding_window: Bool?
    public var bos_token_id: TokenIDList?, eos_token_id: TokenIDList?, pad_token_id: TokenIDList?

    /// The members of `rope_parameters` / `rope_scaling` that transformers and convert_hf_to_gguf read.
    public struct RopeFields: Decodable, Sendable, Equatable {
        public var rope_theta: Double?
        public var rope_type: String?
        public var type: String?
        public var factor: Double?
        public var original_max_position_embeddings: Int?
        public var low_freq_factor: Double?, high_freq_factor: Double?
        public var extrapolation_factor: Double?, attention_factor: Double?, attn_factor: Double?
        public var beta_fast: Double?, beta_slow: Double?
        public var partial_rotary_factor: Double?
    }

    /// transformers' `standardize_rope_params` and convert_hf_to_gguf agree: `rope_parameters`,
    /// else `rope_scaling`; `field` names the one used in errors.
    public var rope: (fields: RopeFields?, field: String) {
        rope_parameters != nil ? (rope_parameters, "rope_parameters") : (rope_scaling, "rope_scaling")
    }

    /// θ: the RoPE settings' `rope_theta`, else the top-level key, else 10000.
    public var ropeTheta: Double { rope.fields?.rope_theta ?? rope_theta ?? 10_000 }
}

/// A token id field that configs write as null, one integer or a list (`eos_token_id`).
public struct TokenIDList: Decodable, Sendable, Equatable {
    public var ids: [Int]
    public init(_ ids: [Int]) { self.ids = ids }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            ids = []
            return
        }
        do {
            ids = [try container.decode(Int.self)]
        } catch DecodingError.typeMismatch {
            ids = try container.decode([Int].self)  // a list, or a type error naming the field
        }
    }
}
