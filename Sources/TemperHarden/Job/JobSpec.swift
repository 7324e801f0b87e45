import Foundation

/// `job.json` (Formats/job.md): what the torch engine needs beyond the transform's recorded
/// config — the base model, the model's shape, the training settings in resolved form
/// (warm-up steps, AdamW constants), the noise source, and the SHA-256 of every file Temper
/// wrote, so that import can tell a job edited after export.
public struct JobSpec: Codable, Sendable, Equatable {
    public static let fileName = "job.json"
    public static let format = "temper.job"
    public static let currentVersion = 1

    public struct Base: Codable, Sendable, Equatable {
        public var path: String
        public var manifestSha256: String
    }

    public struct Model: Codable, Sendable, Equatable {
        public var modelType: String
        public var layers: Int
        public var hiddenSize: Int
        public var vocabSize: Int
        public var padId: Int
        /// Parameters the freeze ablation holds fixed (checkpoint names).
        public var frozen: [String]
    }

    /// The optimizer and schedule as `FineTuner` runs them.
    public struct Training: Codable, Sendable, Equatable {
        public var steps: Int
        public var batchSize: Int
        public var retainBatchSize: Int
        public var learningRate: Double
        public var warmupSteps: Int
        public var schedule: String
        public var beta1: Double
        public var beta2: Double
        public var eps: Double
        public var weightDecay: Double
        public var maxGradNorm: Double?
        public var retainWeight: Double
        public var seed: UInt64
    }

    /// RMU's settings as Temper resolved them (`unlearn rmu` jobs only): the steered block l,
    /// c, the seed of u, the trained tensors (the down-projections of blocks l−2…l) and the
    /// file holding `u` and `control` = c·u ([hidden] F32, the exact product Temper trains against).
    public struct RMU: Codable, Sendable, Equatable {
        public var layer: Int
        public var steeringCoefficient: Double
        public var steeringSeed: UInt64
        public var trained: [String]
        public var control: String
    }

    /// Targeted LAT's adversary as Temper resolved it (`harden lat` jobs only): the residual
    /// points (0 the embedding output, l + 1 after block l), the absolute ε of each (the same
    /// order; measured on the base over the first batch unless given absolutely), and how
    /// many model steps share one adversary run and its batch.
    public struct LAT: Codable, Sendable, Equatable {
        public var residualIndices: [Int]
        public var epsilons: [Double]
        public var modelStepsPerAttack: Int
    }

    public struct File: Codable, Sendable, Equatable {
        public var path: String
        public var size: UInt64
        public var sha256: String
    }

    public var format: String
    public var version: Int
    public var operation: String
    /// `torchrun` or `accelerate`: how run.sh launches the engine.
    public var engine: String
    public var temperVersion: String
    public var created: String
    public var base: Base
    public var model: Model
    public var training: Training
    /// `tensors`: Temper's Gaussian samples per step under noise/ (nil when the method samples nothing).
    public var noise: String?
    /// RMU's resolved settings (nil for every other operation).
    public var rmu: RMU? = nil
    /// Targeted LAT's resolved adversary (nil for every other operation).
    public var lat: LAT? = nil
    public var files: [File]

    public static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return d
    }

    public func bytes() throws -> Data {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try e.encode(self) + Data("\n".utf8)
    }

    public static func read(job: URL) throws -> JobSpec {
        let url = job.appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: url.path) else { throw JobError.missingFile(path: url.path) }
        let spec: JobSpec
        do { spec = try decoder().decode(JobSpec.self, from: data) } catch {
            throw JobError.malformedJob(path: url.path, reason: "\(error)")
        }
        guard spec.format == format, spec.version == currentVersion else {
            throw JobError.malformedJob(path: url.path, reason: "format '\(spec.format)' version \(spec.version), expected '\(format)' \(currentVersion)")
        }
        return spec
    }
}
