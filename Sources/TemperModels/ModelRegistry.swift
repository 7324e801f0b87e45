import Foundation
import TemperFormats

/// A model loaded by `ModelRegistry`, by architecture.
public enum LoadedModel {
    case llama(LlamaModel)
    case gpt2(GPT2Model)
    case bert(BERTModel)

    /// The decoder models (generation, fine-tuning, safety transforms); nil for encoders.
    public var causalLM: (any CausalLanguageModel)? {
        switch self {
        case let .llama(model): return model
        case let .gpt2(model): return model
        case .bert: return nil
        }
    }

    public var modelType: String {
        switch self {
        case let .llama(model): return model.modelType
        case .gpt2: return "gpt2"
        case .bert: return "bert"
        }
    }

    public var parameters: [ModelParameter] {
        switch self {
        case let .llama(model): return model.parameters
        case let .gpt2(model): return model.parameters
        case let .bert(model): return model.parameters
        }
    }

    public var source: ModelSource {
        switch self {
        case let .llama(model): return model.source
        case let .gpt2(model): return model.source
        case let .bert(model): return model.source
        }
    }
}

/// Loads a Hugging Face model folder by its config's `model_type`.
public enum ModelRegistry {
    public static let supportedTypes = LlamaConfig.modelTypes + ["gpt2", "bert"]

    /// `url`: a model folder, a safetensors file / index with config.json beside it, or a
    /// GGUF file (dequantized on load, see `ModelLocation`). With `int8`, a Llama-family
    /// GGUF's Q8_0 matrices also stay Q8_0 and inference multiplies them with int8 dot
    /// products (`Q8_0Matrix`); training still uses the dequantized f32 weights.
    public static func load(_ url: URL, int8: Bool = false) throws -> LoadedModel {
        let (folder, weights) = try ModelLocation.weights(url)
        let configURL = ConfigFile.url(in: folder)
        let data = try ConfigFile.data(at: configURL)
        let type = try modelType(data: data, path: configURL.path)
        if LlamaConfig.modelTypes.contains(type) {
            let gguf = (weights as? GGUFWeights)?.url
            return .llama(try LlamaModel(config: try LlamaConfig(data: data, path: configURL.path), source: weights,
                                         quantized: try Q8_0Weights.load(int8: int8, gguf: gguf)))
        }
        // GGUF files map to the Llama family only; the other architectures come as checkpoints.
        guard let checkpoint = (weights as? CheckpointWeights)?.checkpoint else {
            throw ModelError.unsupportedModelType(path: configURL.path, modelType: type)
        }
        switch type {
        case "gpt2":
            return .gpt2(try GPT2Model(config: try GPT2Config(data: data, path: configURL.path), checkpoint: checkpoint))
        case "bert":
            return .bert(try BERTModel(config: try BERTConfig(data: data, path: configURL.path), checkpoint: checkpoint))
        default:
            throw ModelError.unsupportedModelType(path: configURL.path, modelType: type)
        }
    }

    /// A decoder model, or `unsupportedModelType` naming what was found instead.
    public static func loadCausalLM(_ url: URL, int8: Bool = false) throws -> any CausalLanguageModel {
        let model = try load(url, int8: int8)
        guard let causal = model.causalLM else {
            throw ModelError.unsupportedModelType(path: model.source.folder.appendingPathComponent("config.json").path,
                                                  modelType: "\(model.modelType) (not a causal LM)")
        }
        return causal
    }

    /// The `model_type` of a folder's config.json.
    public static func modelType(folder: URL) throws -> String {
        let url = ConfigFile.url(in: folder)
        return try modelType(data: try ConfigFile.data(at: url), path: url.path)
    }

    static func modelType(data: Data, path: String) throws -> String {
        struct Probe: Decodable { let model_type: String }
        return try ConfigFile.decode(Probe.self, from: data, path: path).model_type
    }
}
