import Foundation
import TemperFormats
import TemperIntegrity

/// How a job's result is taken back.
public struct JobImportOptions {
    public var output: URL
    /// The base model (default: the path job.json records).
    public var base: URL?
    /// The engine's output folder (default JOB/output).
    public var engineOutput: URL?
    public var signingKey: ECPrivateKey?
    public var replace: Bool
    public var temperVersion: String
    public var log: (String) -> Void

    public init(output: URL, base: URL? = nil, engineOutput: URL? = nil, signingKey: ECPrivateKey? = nil, replace: Bool = false,
                temperVersion: String, log: @escaping (String) -> Void = { _ in }) {
        self.output = output; self.base = base; self.engineOutput = engineOutput; self.signingKey = signingKey
        self.replace = replace; self.temperVersion = temperVersion; self.log = log
    }
}

public struct JobImportResult: Codable, Sendable, Equatable {
    public var job: String
    public var output: String
    public var operation: String
    public var engine: String
    public var worldSize: Int
    public var steps: Int
    public var baseManifestSHA256: String
    public var outputManifestSHA256: String
    public var signature: String?
}

/// Takes an engine's result back (Formats/job.md, "Import"): every exported file must still
/// have its digest, the base model its manifest digest, the output exactly the base's tensor
/// names, shapes and dtypes, and losses.jsonl every step with finite values. Only then is
/// OUT written — the base's non-weight files, the engine's weights, provenance naming the
/// engine and world size — and signed. Any failure leaves nothing written or signed.
public enum JobImporter {
    public static func run(job: URL, options: JobImportOptions) throws -> JobImportResult {
        let started = Date()
        let spec = try JobSpec.read(job: job)
        try checkFiles(spec, job: job)
        let base = options.base ?? URL(fileURLWithPath: spec.base.path)
        let baseManifest = try ManifestBuilder().build(path: base.path)
        guard baseManifest.digest.hex == spec.base.manifestSha256 else {
            throw JobError.baseMismatch(path: base.path, recorded: spec.base.manifestSha256, actual: baseManifest.digest.hex)
        }
        let engineOutput = options.engineOutput ?? job.appendingPathComponent("output")
        try checkLosses(engineOutput.appendingPathComponent(LossLog.fileName), steps: spec.training.steps)
        let weightFiles = try checkWeights(engineOutput, against: baseManifest)
        let run = try runRecord(engineOutput.appendingPathComponent("run.json"))
        guard let worldSize = run["world_size"]?.uint64Value.flatMap({ Int(exactly: $0) }), worldSize > 0 else {
            throw JobError.malformedJob(path: engineOutput.appendingPathComponent("run.json").path, reason: "no positive integer 'world_size'")
        }
        let configURL = job.appendingPathComponent("config.json")
        let config: OrderedJSON
        do { config = try OrderedJSON.parse(Array(try Data(contentsOf: configURL))) } catch {
            throw JobError.malformedJob(path: configURL.path, reason: "\(error)")
        }
        guard var members = config.members else { throw JobError.malformedJob(path: configURL.path, reason: "not a JSON object") }
        members.append(.init(key: "engine", value: run))

        if !options.replace, FileManager.default.fileExists(atPath: options.output.path) { throw JobError.outputExists(path: options.output.path) }
        options.log("job import \(spec.operation) (\(spec.engine), world size \(worldSize)): \(engineOutput.path) → \(options.output.path)")
        try FileManager.default.createDirectory(at: options.output.deletingLastPathComponent(), withIntermediateDirectories: true)
        let folder = try AtomicFolder(url: options.output, replace: options.replace)
        let record: ProvenanceRecord
        do {
            try copyModel(base: base, baseManifest: baseManifest, weights: weightFiles, from: engineOutput, into: folder.stagingURL)
            record = try ProvenanceLog.recordRewrite(operation: spec.operation, config: .object(members), temperVersion: options.temperVersion,
                                                     seed: spec.training.seed, started: started, input: base.path, output: folder.stagingURL.path)
            try folder.commit()
        } catch {
            folder.abandon()
            throw error
        }
        var signature: String?
        if let key = options.signingKey {
            options.log("signing \(options.output.path)…")
            signature = try ModelSigner.sign(folder: options.output.path, key: key).signature
        }
        return JobImportResult(job: job.path, output: options.output.path, operation: spec.operation, engine: spec.engine,
                               worldSize: worldSize, steps: spec.training.steps, baseManifestSHA256: spec.base.manifestSha256,
                               outputManifestSHA256: record.outputManifestSHA256, signature: signature)
    }

    /// Every file job.json lists still has its exported SHA-256 (config, data, noise, engine).
    static func checkFiles(_ spec: JobSpec, job: URL) throws {
        for file in spec.files {
            guard !file.path.contains(".."), !file.path.hasPrefix("/") else {
                throw JobError.malformedJob(path: job.appendingPathComponent(JobSpec.fileName).path, reason: "file path '\(file.path)' leaves the job")
            }
            let path = job.appendingPathComponent(file.path).path
            guard FileManager.default.fileExists(atPath: path) else { throw JobError.missingFile(path: path) }
            let actual = try ManifestBuilder(tensorLister: TensorListing.none).build(path: path).files.first?.sha256.hex ?? ""
            guard actual == file.sha256 else { throw JobError.editedAfterExport(path: path, recorded: file.sha256, actual: actual) }
        }
    }

    /// The output's weight files, after checking that their tensors are exactly the base's
    /// (names, dtypes, shapes), however they are sharded.
    static func checkWeights(_ output: URL, against base: Manifest) throws -> [String] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: output.path) } catch { throw JobError.missingFile(path: output.path) }
        let files = names.filter { $0.hasSuffix(".safetensors") }.sorted()
        guard !files.isEmpty else { throw JobError.missingFile(path: output.appendingPathComponent("*.safetensors").path) }
        var found: [String: (dtype: String, shape: [Int], file: String)] = [:]
        for name in files {
            for t in try SafetensorsFile(url: output.appendingPathComponent(name)).tensors {
                found[t.name] = (t.dtype.rawValue, t.shape, name)
            }
        }
        var expected: [String: (dtype: String, shape: [Int])] = [:]
        for file in base.files { for t in file.tensors ?? [] { expected[t.name] = (t.dtype, t.shape) } }
        for name in expected.keys.sorted() {
            guard let got = found[name], let want = expected[name] else { throw JobError.missingTensor(name: name, output: output.path) }
            guard got.dtype == want.dtype, got.shape == want.shape else {
                throw JobError.reshapedTensor(name: name, output: output.appendingPathComponent(got.file).path,
                                              expected: "\(want.dtype)\(want.shape)", actual: "\(got.dtype)\(got.shape)")
            }
        }
        if let extra = found.keys.sorted().first(where: { expected[$0] == nil }) { throw JobError.unexpectedTensor(name: extra, output: output.path) }
        return files
    }

    /// losses.jsonl has steps 1...steps in order with every value a finite number.
    static func checkLosses(_ url: URL, steps: Int) throws {
        let entries = try LossLog.read(url)
        for (i, e) in entries.enumerated() {
            if let key = e.firstNonFinite { throw JobError.diverged(path: url.path, step: e.step, key: key) }
            guard e.step == i + 1 else { throw JobError.malformedLossLog(path: url.path, line: i + 1, reason: "step \(e.step), expected \(i + 1)") }
        }
        guard entries.count == steps else { throw JobError.incompleteRun(path: url.path, steps: entries.count, expected: steps) }
    }

    static func runRecord(_ url: URL) throws -> OrderedJSON {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw JobError.missingFile(path: url.path) }
        let json: OrderedJSON
        do { json = try OrderedJSON.parse(Array(data)) } catch { throw JobError.malformedJob(path: url.path, reason: "\(error)") }
        guard json.members != nil else { throw JobError.malformedJob(path: url.path, reason: "not a JSON object") }
        return json
    }

    /// OUT = the base's non-weight files (config, tokenizer, templates) + the engine's weights
    /// and shard index. Temper's own files (manifest, provenance, signature) are made anew.
    static func copyModel(base: URL, baseManifest: Manifest, weights: [String], from output: URL, into staging: URL) throws {
        let fm = FileManager.default
        let skip = Set([Manifest.fileName, ProvenanceLog.fileName, ModelFolder.defaultSignatureName, ShardedCheckpoint.indexFileName])
        for file in baseManifest.files where file.tensors == nil && !skip.contains(file.path) && !file.path.hasSuffix(".safetensors") {
            let target = staging.appendingPathComponent(file.path)
            try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try fm.copyItem(at: base.appendingPathComponent(file.path), to: target)
        }
        for name in weights + [ShardedCheckpoint.indexFileName] where fm.fileExists(atPath: output.appendingPathComponent(name).path) {
            try fm.copyItem(at: output.appendingPathComponent(name), to: staging.appendingPathComponent(name))
        }
    }
}
