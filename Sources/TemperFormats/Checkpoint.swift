import Foundation

/// What kind of artifact a `Checkpoint` was read from.
public enum CheckpointFormat: String, Sendable, Equatable {
    case safetensors           // one .safetensors file (or a folder holding one)
    case shardedSafetensors    // a folder with model.safetensors.index.json
    case gguf                  // produced by the GGUF reader through `Checkpoint.init`
}

/// The top-level scalar settings of a Hugging Face `config.json`, in file order.
public struct ModelConfigSummary: Sendable, Equatable {
    public let url: URL
    /// Top-level members whose values are strings, numbers, booleans or null.
    public let entries: [OrderedJSON.Member]
    /// `architectures` when it is an array of strings (it is the one non-scalar worth showing).
    public let architectures: [String]

    public subscript(key: String) -> OrderedJSON? { entries.first { $0.key == key }?.value }
    public var modelType: String? { self["model_type"]?.stringValue }

    public static func read(_ url: URL) throws -> ModelConfigSummary {
        let bytes = [UInt8](try RegularFile.read(url, limit: 1 << 26))
        let json: OrderedJSON
        do { json = try OrderedJSON.parse(bytes) } catch {
            throw FormatError.unsupportedInput(path: url.path, reason: "config.json is not valid JSON: \(error.description)")
        }
        guard let members = json.members else {
            throw FormatError.unsupportedInput(path: url.path, reason: "config.json is \(json.kindName), not an object")
        }
        if let key = json.firstDuplicateKey { throw FormatError.duplicateKey(path: url.path, key: key) }
        let architectures = json["architectures"]?.elements?.compactMap(\.stringValue) ?? []
        return ModelConfigSummary(url: url, entries: members.filter(\.value.isScalar), architectures: architectures)
    }
}

/// One entry point for every weight artifact: the tensors (each naming its `file`), their
/// bytes, file-level metadata and the model config when there is one.
public final class Checkpoint: Sendable {
    /// What was opened (a file or a folder).
    public let url: URL
    /// The folder that file names in records are relative to.
    public let root: URL
    public let format: CheckpointFormat
    /// The opened files, in order (shards sorted by name).
    public let files: [any TensorFile]
    /// Every tensor: files in order, file order within each.
    public let tensors: [TensorRecord]
    /// File-level string metadata (safetensors `__metadata__`; for shards, the first shard's).
    public let metadata: [(key: String, value: String)]
    /// The sharded index's `metadata` members (empty for a single file).
    public let indexMetadata: [OrderedJSON.Member]
    /// The validated shard index, for sharded checkpoints.
    public let sharded: ShardedCheckpoint?
    public let config: ModelConfigSummary?
    private let fileIndex: [String: Int]
    private let recordIndex: [String: Int]

    /// Assembles a checkpoint from opened files (used by `open` and by other format readers).
    /// Tensor names must be unique across files.
    public init(url: URL, root: URL, format: CheckpointFormat, files: [any TensorFile],
                metadata: [(key: String, value: String)], indexMetadata: [OrderedJSON.Member] = [],
                sharded: ShardedCheckpoint? = nil, config: ModelConfigSummary? = nil) throws {
        self.url = url; self.root = root; self.format = format; self.files = files
        self.metadata = metadata; self.indexMetadata = indexMetadata; self.sharded = sharded; self.config = config
        var fileIndex: [String: Int] = [:]
        for (i, file) in files.enumerated() { fileIndex[file.url.lastPathComponent] = i }
        var all: [TensorRecord] = []
        var recordIndex: [String: Int] = [:]
        for file in files {
            for record in file.tensors {
                guard recordIndex.updateValue(all.count, forKey: record.name) == nil else {
                    throw FormatError.duplicateTensor(path: file.url.path, tensor: record.name)
                }
                all.append(record)
            }
        }
        self.fileIndex = fileIndex
        self.recordIndex = recordIndex
        tensors = all
    }

    /// Opens a .safetensors file, a folder with `model.safetensors.index.json` (or a single
    /// `*.safetensors.index.json`), a folder with `model.safetensors` (or exactly one
    /// .safetensors file), or an index file. A folder's `config.json` is summarised if present.
    public static func open(_ url: URL) throws -> Checkpoint {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else { throw FormatError.notFound(path: url.path) }
        if !isFolder.boolValue {
            if url.lastPathComponent.hasSuffix(".index.json") { return try openSharded(indexURL: url, openedAs: url) }
            let file = try SafetensorsFile(url: url)
            return try Checkpoint(url: url, root: url.deletingLastPathComponent(), format: .safetensors,
                                  files: [file], metadata: file.metadata)
        }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: url.path).sorted() } catch {
            throw FormatError.io(path: url.path, reason: "cannot list folder: \(error.localizedDescription)")
        }
        let indexes = names.filter { $0.hasSuffix(".safetensors.index.json") }
        if names.contains(ShardedCheckpoint.indexFileName) {
            return try openSharded(indexURL: url.appendingPathComponent(ShardedCheckpoint.indexFileName), openedAs: url)
        }
        if indexes.count == 1 { return try openSharded(indexURL: url.appendingPathComponent(indexes[0]), openedAs: url) }
        let weights = names.filter { $0.hasSuffix(".safetensors") }
        let chosen: String
        if weights.contains("model.safetensors") {
            chosen = "model.safetensors"
        } else if weights.count == 1 {
            chosen = weights[0]
        } else {
            let reason = weights.isEmpty ? "no model.safetensors or model.safetensors.index.json"
                : "\(weights.count) .safetensors files but no index to say which belong to the model"
            throw FormatError.unsupportedInput(path: url.path, reason: reason)
        }
        try HubCache.checkLink(url.appendingPathComponent(chosen).path, folder: url.path)
        let file = try SafetensorsFile(url: url.appendingPathComponent(chosen))
        return try Checkpoint(url: url, root: url, format: .safetensors, files: [file], metadata: file.metadata,
                              config: try readConfig(in: url))
    }

    private static func openSharded(indexURL: URL, openedAs url: URL) throws -> Checkpoint {
        let sharded = try ShardedCheckpoint(url: indexURL)
        return try Checkpoint(url: url, root: sharded.folder, format: .shardedSafetensors, files: sharded.shards,
                              metadata: sharded.shards.first?.metadata ?? [], indexMetadata: sharded.indexMetadata,
                              sharded: sharded, config: try readConfig(in: sharded.folder))
    }

    private static func readConfig(in folder: URL) throws -> ModelConfigSummary? {
        let configURL = folder.appendingPathComponent("config.json")
        guard FileManager.default.fileExists(atPath: configURL.path) else { return nil }
        return try ModelConfigSummary.read(configURL)
    }

    public func record(named name: String) -> TensorRecord? { recordIndex[name].map { tensors[$0] } }

    /// The opened file a record's `file` names.
    public func file(named name: String) -> (any TensorFile)? { fileIndex[name].map { files[$0] } }

    /// Zero-copy bytes of a tensor, from the file its record names.
    public func bytes(of record: TensorRecord) throws -> UnsafeRawBufferPointer {
        guard let file = file(named: record.file) else { throw FormatError.missingShard(path: root.path, shard: record.file) }
        return try file.bytes(of: record)
    }

    /// Copies every tensor into one owned buffer, in `tensors` order.
    public func loadAll() throws -> LoadedTensors {
        try LoadedTensors.load(files.flatMap { file in file.tensors.map { ($0, file.mapped) } })
    }

    /// Sum of all tensors' byte counts.
    public var totalBytes: UInt64 { tensors.reduce(0) { $0 + $1.byteCount } }
}
