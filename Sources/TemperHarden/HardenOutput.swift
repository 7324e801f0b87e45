import Foundation
import TemperFormats
import TemperIntegrity
import TemperModels
import TemperText

/// How a transform run writes its result and reports progress.
public struct HardenRunOptions {
    /// Recorded in the provenance record.
    public var temperVersion: String
    /// Replace OUT when it exists (the old folder stays until the new one is complete).
    public var replace: Bool
    /// Sign OUT (model_signing format, with temper.manifest.json) with this key.
    public var signingKey: ECPrivateKey?
    /// Resumable training state, saved every `saveEvery` steps and at the end.
    public var stateFolder: URL?
    public var saveEvery: Int?
    /// How rows become text (a plain template, or the model's chat template).
    public var format: RowFormat
    /// Write every step's loss parts here (losses.jsonl, as the torch engine writes it).
    public var lossLog: URL?
    public var log: (String) -> Void

    public init(temperVersion: String, replace: Bool = false, signingKey: ECPrivateKey? = nil, stateFolder: URL? = nil,
                saveEvery: Int? = nil, format: RowFormat = .plain(nil), lossLog: URL? = nil, log: @escaping (String) -> Void = { _ in }) {
        self.temperVersion = temperVersion; self.replace = replace; self.signingKey = signingKey
        self.stateFolder = stateFolder; self.saveEvery = saveEvery; self.format = format; self.lossLog = lossLog; self.log = log
    }
}

/// What `run` of a transform returns.
public struct HardenResult: Codable, Sendable, Equatable {
    public var operation: String
    public var input: String
    public var output: String
    public var summary: HardenSummary
    /// The provenance record's output manifest digest.
    public var outputManifestSHA256: String
    public var signature: String?
}

/// Writes a transform's output: the model as a Hugging Face folder shaped like its input,
/// plus `temper.provenance.json` (the input's chain + this rewrite with the full config),
/// built under a staging name and renamed into place only when complete; then signed when
/// a key is given (after the rename, so the signed model name is OUT's own name).
public enum HardenOutput {
    public static func write(model: any CausalLanguageModel, input: URL, output: URL, operation: String,
                             config: some Encodable, seed: UInt64, started: Date, options: HardenRunOptions) throws -> (digest: String, signature: String?) {
        try FileManager.default.createDirectory(at: output.deletingLastPathComponent(), withIntermediateDirectories: true)
        let folder = try AtomicFolder(url: output, replace: options.replace)
        let record: ProvenanceRecord
        do {
            try model.save(to: folder.stagingURL)
            record = try ProvenanceLog.recordRewrite(operation: operation, config: try configJSON(config), temperVersion: options.temperVersion,
                                                     seed: seed, started: started, input: input.path, output: folder.stagingURL.path)
            try folder.commit()
        } catch {
            folder.abandon()
            throw error
        }
        var signature: String?
        if let key = options.signingKey {
            options.log("signing \(output.path)…")
            signature = try ModelSigner.sign(folder: output.path, key: key).signature
        }
        return (record.outputManifestSHA256, signature)
    }

    /// The last good weights of a run that stopped: a plain Hugging Face folder beside OUT.
    /// `FineTuner` refuses a non-finite step before it updates, so the model normally holds
    /// the weights that entered it; if an update itself overflowed (finite gradients times an
    /// absurd learning rate), they are checked once here and nothing is written (nil).
    public static func saveLastGood(model: any CausalLanguageModel, output: URL) throws -> URL? {
        let finite = model.parameters.allSatisfy { p in p.tensor.withUnsafeBufferPointer { $0.allSatisfy(\.isFinite) } }
        guard finite else { return nil }
        let url = output.deletingLastPathComponent().appendingPathComponent(output.lastPathComponent + ".last-good")
        try model.save(to: url)
        return url
    }

    /// A Codable config as the provenance record's ordered JSON (keys sorted).
    public static func configJSON(_ config: some Encodable) throws -> OrderedJSON {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try OrderedJSON.parse(Array(try encoder.encode(config)))
    }
}
