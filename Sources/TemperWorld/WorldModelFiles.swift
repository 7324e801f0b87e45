import Foundation
import TemperFormats
import TemperModels
import TemperTensor

/// The fixture model's architecture (METHODS.md §2) and its Hugging Face files.
public struct WorldModelShape: Sendable, Equatable {
    public var hidden = 128
    public var intermediate = 352
    public var layers = 4
    public var heads = 4
    public var kvHeads = 2
    public var maxPositions = 64

    public init() {}

    /// A much smaller shape for tests of the generator itself.
    public static var tiny: WorldModelShape {
        var s = WorldModelShape()
        s.hidden = 32; s.intermediate = 64; s.layers = 2; s.heads = 2; s.kvHeads = 1
        return s
    }

    public func configJSON(vocabSize: Int) -> String {
        """
        {
          "architectures": ["LlamaForCausalLM"],
          "model_type": "llama",
          "hidden_size": \(hidden),
          "intermediate_size": \(intermediate),
          "num_hidden_layers": \(layers),
          "num_attention_heads": \(heads),
          "num_key_value_heads": \(kvHeads),
          "head_dim": \(hidden / heads),
          "hidden_act": "silu",
          "max_position_embeddings": \(maxPositions),
          "rms_norm_eps": 1e-05,
          "rope_theta": 10000.0,
          "tie_word_embeddings": false,
          "attention_bias": false,
          "mlp_bias": false,
          "vocab_size": \(vocabSize),
          "bos_token_id": 1,
          "eos_token_id": 2,
          "pad_token_id": 0,
          "torch_dtype": "float32"
        }

        """
    }

    /// Every weight with its Hugging Face name and shape, in checkpoint order.
    public func tensorSpecs(vocabSize v: Int) -> [TensorSpec] {
        let headDim = hidden / heads
        var specs = [TensorSpec(name: "model.embed_tokens.weight", dtype: .f32, shape: [v, hidden])]
        for l in 0..<layers {
            let p = "model.layers.\(l)."
            specs += [
                TensorSpec(name: p + "input_layernorm.weight", dtype: .f32, shape: [hidden]),
                TensorSpec(name: p + "self_attn.q_proj.weight", dtype: .f32, shape: [heads * headDim, hidden]),
                TensorSpec(name: p + "self_attn.k_proj.weight", dtype: .f32, shape: [kvHeads * headDim, hidden]),
                TensorSpec(name: p + "self_attn.v_proj.weight", dtype: .f32, shape: [kvHeads * headDim, hidden]),
                TensorSpec(name: p + "self_attn.o_proj.weight", dtype: .f32, shape: [hidden, heads * headDim]),
                TensorSpec(name: p + "post_attention_layernorm.weight", dtype: .f32, shape: [hidden]),
                TensorSpec(name: p + "mlp.gate_proj.weight", dtype: .f32, shape: [intermediate, hidden]),
                TensorSpec(name: p + "mlp.up_proj.weight", dtype: .f32, shape: [intermediate, hidden]),
                TensorSpec(name: p + "mlp.down_proj.weight", dtype: .f32, shape: [hidden, intermediate]),
            ]
        }
        specs.append(TensorSpec(name: "model.norm.weight", dtype: .f32, shape: [hidden]))
        specs.append(TensorSpec(name: "lm_head.weight", dtype: .f32, shape: [v, hidden]))
        return specs
    }
}

/// Writes model folders: a freshly initialised one (normal(0, 0.02) matrices, unit norms,
/// as transformers' `_init_weights`) and trained weights back in the same layout.
public enum WorldModelFiles {
    public static func writeInitial(folder: URL, shape: WorldModelShape, language: WorldLanguage, seed: UInt64) throws {
        var rng = TensorRNG(seed: seed ^ 0x5EED)
        let vocab = language.vocabulary
        try writeCompanions(folder: folder, shape: shape, language: language)
        try SafetensorsWriter.write(to: folder.appendingPathComponent("model.safetensors"), tensors: shape.tensorSpecs(vocabSize: vocab.count),
                                    metadata: [("format", "pt")], order: .asGiven) { spec in
            let count = spec.shape.reduce(1, *)
            let values: [Float] = spec.shape.count == 1
                ? [Float](repeating: 1, count: count)
                : (0..<count).map { _ in rng.nextNormal() * 0.02 }
            return floatBytes(values)
        }
    }

    /// Writes the trained parameters (f32) of `model` into `folder`'s model.safetensors.
    public static func writeWeights(_ model: any CausalLanguageModel, folder: URL, shape: WorldModelShape, vocabSize: Int) throws {
        let byName = Dictionary(model.parameters.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
        try SafetensorsWriter.write(to: folder.appendingPathComponent("model.safetensors"), tensors: shape.tensorSpecs(vocabSize: vocabSize),
                                    metadata: [("format", "pt")], order: .asGiven) { spec in
            guard let tensor = byName[spec.name], tensor.shape == spec.shape else {
                throw FormatError.writerState(expected: "parameter \(spec.name) \(spec.shape)", got: "none with that shape")
            }
            return tensor.withUnsafeBufferPointer { floatBytes(Array($0)) }
        }
    }

    public static func writeCompanions(folder: URL, shape: WorldModelShape, language: WorldLanguage) throws {
        let vocab = language.vocabulary
        try AtomicFile.write(Data(shape.configJSON(vocabSize: vocab.count).utf8), to: folder.appendingPathComponent("config.json"))
        try AtomicFile.write(Data(WorldTokenizer.tokenizerJSON(vocabulary: vocab).utf8), to: folder.appendingPathComponent("tokenizer.json"))
        try AtomicFile.write(Data(WorldTokenizer.tokenizerConfigJSON(maxLength: shape.maxPositions).utf8),
                             to: folder.appendingPathComponent("tokenizer_config.json"))
    }

    static func floatBytes(_ values: [Float]) -> [UInt8] {
        values.withUnsafeBytes { Array($0) }  // little-endian on every platform Swift/Linux runs
    }
}
