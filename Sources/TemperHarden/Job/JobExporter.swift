import Foundation
import TemperFormats
import TemperIntegrity
import TemperModels
import TemperTensor
import TemperText

/// How the job folder is launched: `torchrun` directly or through `accelerate launch`.
public enum JobEngine: String, Sendable, CaseIterable, Codable {
    case torchrun, accelerate
}

/// Where and how a job is written.
public struct JobExportOptions {
    public var job: URL
    public var engine: JobEngine
    /// The engine's source tree (Engines/torch), copied into the job.
    public var engineSource: URL
    public var replace: Bool
    public var format: RowFormat
    public var temperVersion: String
    public var log: (String) -> Void

    public init(job: URL, engine: JobEngine = .torchrun, engineSource: URL, replace: Bool = false, format: RowFormat = .plain(nil),
                temperVersion: String, log: @escaping (String) -> Void = { _ in }) {
        self.job = job; self.engine = engine; self.engineSource = engineSource; self.replace = replace
        self.format = format; self.temperVersion = temperVersion; self.log = log
    }
}

/// What `export` wrote.
public struct JobExportResult: Codable, Sendable, Equatable {
    public var job: String
    public var operation: String
    public var steps: Int
    public var files: Int
    public var bytes: UInt64
    public var baseManifestSHA256: String
}

/// Writes a job folder (Formats/job.md) for a transform: the recorded config exactly as
/// provenance would hold it, the data tokenized by Temper, the per-step batch order, the
/// per-step Gaussian noise where the method samples, the engine, run.sh and job.json.
enum JobExporter {
    /// The operations the engine at `engineSource` implements (its `operations.txt`).
    static func engineOperations(_ engineSource: URL) throws -> [String] {
        let url = engineSource.appendingPathComponent("operations.txt")
        guard let data = FileManager.default.contents(atPath: url.path) else { throw JobError.missingFile(path: url.path) }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }

    static func export(operation: String, config: some Encodable, settings: HardenTraining, gaussianNoise: Bool, noMaskNoise: Bool,
                       modelFolder: URL, data: HardenData, options: JobExportOptions) throws -> JobExportResult {
        let (model, encoding) = try prepare(operation: operation, settings: settings, modelFolder: modelFolder, options: options)
        let batches = try HardenBatches(encoding: encoding, data: data, settings: settings)
        let recorded = RecordedConfig(transform: config, data: data.records, template: encoding.formatDescription)
        return try write(operation: operation, config: recorded, settings: settings, model: model, encoding: encoding,
                         shape: .init(padId: batches.padId, batchSize: batches.sampler.batchSize, retainBatchSize: batches.retain?.sampler.batchSize ?? 0),
                         summary: "\(batches.paired.count) pairs", noise: gaussianNoise, modelFolder: modelFolder, options: options) { root in
            try JobData.writePaired(batches.paired, padId: batches.padId, to: root.appendingPathComponent("data/paired.safetensors"))
            if let retain = batches.retain {
                try JobData.writeRetain(retain.examples, padId: batches.padId, to: root.appendingPathComponent("data/retain.safetensors"))
            }
            try JobData.writeOrder(batches, steps: settings.steps, to: root.appendingPathComponent("data/order.safetensors"))
            if gaussianNoise {
                try JobData.writeNoise(batches, settings: settings, layers: model.layerCount, hidden: model.hiddenSize, allPositions: noMaskNoise,
                                       to: root.appendingPathComponent("noise"), log: options.log)
            }
        }
    }

    /// The checks every export makes before writing, then the base model and its text encoding.
    static func prepare(operation: String, settings: HardenTraining, modelFolder: URL,
                        options: JobExportOptions) throws -> (model: any CausalLanguageModel, encoding: TextEncoding) {
        let available = try engineOperations(options.engineSource)
        guard available.contains(operation) else { throw JobError.notInEngine(operation: operation, available: available) }
        try settings.validate()
        if !options.replace, FileManager.default.fileExists(atPath: options.job.path) { throw JobError.outputExists(path: options.job.path) }
        let model = try ModelRegistry.loadCausalLM(modelFolder)
        let encoding = try TextEncoding(tokenizer: try Tokenizer.load(model.source.folder), model: model, format: options.format,
                                        maxLength: settings.maxLength)
        return (model, encoding)
    }

    /// The batch shape job.json records.
    struct BatchShape {
        var padId: Int
        var batchSize: Int
        var retainBatchSize: Int
    }

    /// Writes the job folder atomically: engine, config.json, the method's data files (`data`,
    /// given the staging root), then job.json with every file's digest.
    static func write(operation: String, config: some Encodable, settings: HardenTraining, model: any CausalLanguageModel, encoding: TextEncoding,
                      shape: BatchShape, summary: String, noise: Bool, modelFolder: URL, options: JobExportOptions,
                      isTrainable: ((ModelParameter) -> Bool)? = nil, rmu: JobSpec.RMU? = nil, lat: JobSpec.LAT? = nil,
                      data: (URL) throws -> Void) throws -> JobExportResult {
        let configBytes = try HardenOutput.configJSON(config).serialized(style: .pythonIndented(2)) + [0x0A]
        let baseDigest = try ManifestBuilder().digest(folder: modelFolder.path).hex
        options.log("job export \(operation): \(modelFolder.path) → \(options.job.path), \(settings.steps) steps, \(summary)")

        try FileManager.default.createDirectory(at: options.job.deletingLastPathComponent(), withIntermediateDirectories: true)
        let folder = try AtomicFolder(url: options.job, replace: options.replace)
        do {
            let root = folder.stagingURL
            try JobEngineFiles.copy(from: options.engineSource, into: root)
            try AtomicFile.write(Data(configBytes), to: root.appendingPathComponent("config.json"))
            try data(root)
            let files = try ManifestBuilder(tensorLister: TensorListing.none).build(path: root.path).files
                .filter { $0.path != JobSpec.fileName }
            let config = settings.trainingConfig()
            let trains = isTrainable ?? settings.isTrainable
            let spec = JobSpec(
                format: JobSpec.format, version: JobSpec.currentVersion, operation: operation, engine: options.engine.rawValue,
                temperVersion: options.temperVersion, created: ProvenanceRecord.timestamp(Date()),
                base: .init(path: modelFolder.standardizedFileURL.path, manifestSha256: baseDigest),
                model: .init(modelType: model.modelType, layers: model.layerCount, hiddenSize: model.hiddenSize, vocabSize: encoding.vocabSize,
                             padId: shape.padId, frozen: model.parameters.filter { !trains($0) }.map(\.name)),
                training: .init(steps: config.steps, batchSize: shape.batchSize, retainBatchSize: shape.retainBatchSize,
                                learningRate: config.learningRate, warmupSteps: config.warmupSteps, schedule: "cosine",
                                beta1: config.beta1, beta2: config.beta2, eps: config.eps, weightDecay: config.weightDecay,
                                maxGradNorm: config.maxGradNorm.map(Double.init), retainWeight: settings.retainWeight, seed: settings.seed),
                noise: noise ? "tensors" : nil, rmu: rmu, lat: lat,
                files: files.map { JobSpec.File(path: $0.path, size: $0.size, sha256: $0.sha256.hex) })
            try AtomicFile.write(try spec.bytes(), to: root.appendingPathComponent(JobSpec.fileName))
            try folder.commit()
            return JobExportResult(job: options.job.path, operation: operation, steps: settings.steps, files: files.count + 1,
                                   bytes: files.reduce(0) { $0 + $1.size }, baseManifestSHA256: baseDigest)
        } catch {
            folder.abandon()
            throw error
        }
    }
}
