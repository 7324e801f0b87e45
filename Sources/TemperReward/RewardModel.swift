import Foundation
import TemperFormats

/// `config.json` of a reward artifact (Formats/reward-artifact.md).
public struct RewardModelConfig: Codable, Equatable, Sendable {
    public static let modelType = "temper_gridworld_reward"
    public var modelType: String
    public var formatVersion: Int
    /// The state features the network reads, in input order.
    public var features: [String]
    public var hiddenSizes: [Int]
    public var activation: String
    public init(features: [String], hiddenSizes: [Int]) {
        modelType = Self.modelType; formatVersion = 1; self.features = features; self.hiddenSizes = hiddenSizes; activation = "tanh"
    }
    enum CodingKeys: String, CodingKey {
        case modelType = "model_type", formatVersion = "format_version", features, hiddenSizes = "hidden_sizes", activation
    }
}

/// The learned reward: an MLP (tanh hidden layers, linear head) from the arrival features
/// to one number. Weights are PyTorch-layout `[out, in]` F32 tensors `layers.i.weight`,
/// `layers.i.bias`, `head.weight`, `head.bias`.
public struct RewardModel: Sendable {
    public static let weightsFile = "model.safetensors", configFile = "config.json"
    public let config: RewardModelConfig
    /// Per layer (hidden layers then the head): weight rows [out][in] flattened, bias [out].
    public let weights: [[Double]]
    public let biases: [[Double]]
    /// The folder it came from ("" for one built in memory).
    public let path: String

    public init(config: RewardModelConfig, weights: [[Double]], biases: [[Double]], path: String = "") throws {
        let sizes = Self.layerSizes(config)
        guard weights.count == sizes.count, biases.count == sizes.count else {
            throw RewardError.malformedRewardArtifact(path: path, reason: "\(weights.count) layers, expected \(sizes.count)")
        }
        for (i, (out, inp)) in sizes.enumerated() where weights[i].count != out * inp || biases[i].count != out {
            throw RewardError.shapeMismatch(path: path, name: Self.tensorNames(config)[2 * i], expected: [out, inp], found: [weights[i].count])
        }
        self.config = config; self.weights = weights; self.biases = biases; self.path = path
    }

    /// (out, in) per layer.
    static func layerSizes(_ c: RewardModelConfig) -> [(Int, Int)] {
        let dims = [c.features.count] + c.hiddenSizes + [1]
        return (0..<(dims.count - 1)).map { (dims[$0 + 1], dims[$0]) }
    }

    static func tensorNames(_ c: RewardModelConfig) -> [String] {
        let hidden = c.hiddenSizes.indices.flatMap { ["layers.\($0).weight", "layers.\($0).bias"] }
        return hidden + ["head.weight", "head.bias"]
    }

    public func evaluate(_ x: [Double]) -> Double {
        var h = x
        let last = weights.count - 1
        for l in 0...last {
            let w = weights[l], b = biases[l], inp = h.count
            var out = b
            for o in out.indices {
                var acc = out[o]
                let row = o * inp
                for i in 0..<inp { acc += w[row + i] * h[i] }
                out[o] = l == last ? acc : tanh(acc)
            }
            h = out
        }
        return h[0]
    }

    // MARK: files

    public static func load(folder: URL) throws -> RewardModel {
        let path = folder.path
        let configURL = folder.appendingPathComponent(configFile)
        let config: RewardModelConfig
        do {
            config = try JSONDecoder().decode(RewardModelConfig.self, from: try Data(contentsOf: configURL))
        } catch let e as DecodingError {
            throw RewardError.malformedRewardArtifact(path: configURL.path, reason: GridworldFile.describe(e))
        } catch {
            throw RewardError.malformedRewardArtifact(path: configURL.path, reason: error.localizedDescription)
        }
        guard config.modelType == RewardModelConfig.modelType, config.formatVersion == 1, config.activation == "tanh" else {
            throw RewardError.malformedRewardArtifact(path: configURL.path, reason:
                "model_type '\(config.modelType)' v\(config.formatVersion) (\(config.activation)); expected \(RewardModelConfig.modelType) v1 (tanh)")
        }
        guard !config.features.isEmpty, config.hiddenSizes.allSatisfy({ (1...4096).contains($0) }), config.hiddenSizes.count <= 8 else {
            throw RewardError.malformedRewardArtifact(path: configURL.path, reason: "features must be non-empty, hidden sizes in 1...4096")
        }
        let weightsURL = folder.appendingPathComponent(weightsFile)
        let file: SafetensorsFile
        do { file = try SafetensorsFile(url: weightsURL) } catch {
            throw RewardError.malformedRewardArtifact(path: weightsURL.path, reason: "\(error)")
        }
        let names = tensorNames(config)
        if let extra = file.tensors.first(where: { !names.contains($0.name) }) {
            throw RewardError.malformedRewardArtifact(path: weightsURL.path, reason: "unexpected tensor '\(extra.name)'")
        }
        var arrays: [[Double]] = []
        for (i, (out, inp)) in layerSizes(config).enumerated() {
            for (name, shape) in [(names[2 * i], [out, inp]), (names[2 * i + 1], [out])] {
                guard let record = file.tensors.first(where: { $0.name == name }) else {
                    throw RewardError.missingTensor(path: weightsURL.path, name: name)
                }
                guard record.shape == shape else { throw RewardError.shapeMismatch(path: weightsURL.path, name: name, expected: shape, found: record.shape) }
                guard record.dtype == .f32 else {
                    throw RewardError.malformedRewardArtifact(path: weightsURL.path, reason: "'\(name)' is \(record.dtype.rawValue), expected F32")
                }
                let bytes: UnsafeRawBufferPointer
                do { bytes = try file.mapped.slice(record.fileRange) } catch {
                    throw RewardError.malformedRewardArtifact(path: weightsURL.path, reason: "\(error)")
                }
                let values = (0..<(bytes.count / 4)).map { Double(Float(bitPattern: bytes.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self).littleEndian)) }
                guard values.allSatisfy(\.isFinite) else {
                    throw RewardError.malformedRewardArtifact(path: weightsURL.path, reason: "'\(name)' holds a non-finite value")
                }
                arrays.append(values)
            }
        }
        return try RewardModel(config: config, weights: stride(from: 0, to: arrays.count, by: 2).map { arrays[$0] },
                               biases: stride(from: 1, to: arrays.count, by: 2).map { arrays[$0] }, path: path)
    }

    /// Writes config.json and model.safetensors into `folder` (which must exist).
    public func save(folder: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(config) + Data("\n".utf8), to: folder.appendingPathComponent(Self.configFile))
        let names = Self.tensorNames(config)
        var specs: [TensorSpec] = [], data: [String: [Double]] = [:]
        for (i, (out, inp)) in Self.layerSizes(config).enumerated() {
            specs.append(TensorSpec(name: names[2 * i], dtype: .f32, shape: [out, inp])); data[names[2 * i]] = weights[i]
            specs.append(TensorSpec(name: names[2 * i + 1], dtype: .f32, shape: [out])); data[names[2 * i + 1]] = biases[i]
        }
        try SafetensorsWriter.write(to: folder.appendingPathComponent(Self.weightsFile), tensors: specs,
                                    metadata: [("format", "pt"), ("temper.model_type", RewardModelConfig.modelType)]) { spec in
            (data[spec.name] ?? []).flatMap { value -> [UInt8] in
                let bits = Float(value).bitPattern.littleEndian
                return (0..<4).map { UInt8(truncatingIfNeeded: bits >> (8 * $0)) }
            }
        }
    }
}
