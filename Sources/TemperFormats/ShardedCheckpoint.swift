import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A folder of safetensors shards described by `model.safetensors.index.json`
/// (`{"metadata": {"total_size": …}, "weight_map": {tensor: shard file}}`), validated:
/// shard names stay inside the folder, every shard exists and parses, every mapped tensor is
/// in its shard and every shard tensor is mapped to that shard.
public final class ShardedCheckpoint: Sendable {
    public static let indexFileName = "model.safetensors.index.json"

    public let folder: URL
    public let indexURL: URL
    /// Members of the index's `metadata` object, in order (empty when absent).
    public let indexMetadata: [OrderedJSON.Member]
    /// `metadata.total_size`, when present.
    public let totalSize: UInt64?
    /// The weight map in file order.
    public let weightMap: [(tensor: String, shard: String)]
    /// Distinct shard file names, sorted; `shards[i]` is the opened `shardNames[i]`.
    public let shardNames: [String]
    public let shards: [SafetensorsFile]
    /// Every tensor: shards in name order, header order within a shard; `file` = shard name.
    public let tensors: [TensorRecord]

    /// Opens a folder holding `model.safetensors.index.json`, or an index file itself.
    public static func open(_ url: URL) throws -> ShardedCheckpoint { try ShardedCheckpoint(url: url) }

    public init(url: URL) throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else { throw FormatError.notFound(path: url.path) }
        indexURL = isFolder.boolValue ? url.appendingPathComponent(Self.indexFileName) : url
        folder = indexURL.deletingLastPathComponent()
        let index = try Self.readIndex(indexURL)
        indexMetadata = index.metadata
        totalSize = index.totalSize
        weightMap = index.weightMap
        shardNames = Array(Set(index.weightMap.map(\.shard))).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let folderReal = try Self.realPath(folder)
        var opened: [SafetensorsFile] = []
        for name in shardNames {
            let shardURL = try Self.checkedShardURL(name, folder: folder, folderReal: folderReal, indexPath: indexURL.path)
            opened.append(try SafetensorsFile(url: shardURL))
        }
        shards = opened
        // Cross-check the map against the shards' headers, both ways.
        var mapped: [String: String] = [:]
        for entry in index.weightMap { mapped[entry.tensor] = entry.shard }
        for (name, shard) in zip(shardNames, opened) {
            for record in shard.tensors where mapped[record.name] != name {
                throw FormatError.tensorNotInIndex(path: indexURL.path, tensor: record.name, shard: name)
            }
        }
        let byName = Dictionary(uniqueKeysWithValues: zip(shardNames, opened))
        for entry in index.weightMap where byName[entry.shard]?.record(named: entry.tensor) == nil {
            throw FormatError.tensorNotInShard(path: indexURL.path, tensor: entry.tensor, shard: entry.shard)
        }
        tensors = opened.flatMap(\.tensors)
    }

    public func shard(named name: String) -> SafetensorsFile? {
        shardNames.firstIndex(of: name).map { shards[$0] }
    }

    /// Zero-copy bytes of a tensor from its shard (`record.file`).
    public func bytes(of record: TensorRecord) throws -> UnsafeRawBufferPointer {
        guard let shard = shard(named: record.file) else { throw FormatError.missingShard(path: indexURL.path, shard: record.file) }
        return try shard.bytes(of: record)
    }

    // MARK: validation helpers

    struct Index {
        var metadata: [OrderedJSON.Member]
        var totalSize: UInt64?
        var weightMap: [(tensor: String, shard: String)]
    }

    static func readIndex(_ url: URL) throws -> Index {
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else { throw FormatError.notFound(path: path) }
        let bytes = [UInt8](try RegularFile.read(url, limit: 1 << 28))
        let json: OrderedJSON
        do { json = try OrderedJSON.parse(bytes) } catch { throw FormatError.invalidIndex(path: path, reason: "invalid JSON: \(error.description)") }
        guard json.members != nil else { throw FormatError.invalidIndex(path: path, reason: "index is \(json.kindName), not an object") }
        if let key = json.firstDuplicateKey { throw FormatError.invalidIndex(path: path, reason: "key '\(key)' appears twice") }
        var metadata: [OrderedJSON.Member] = []
        var totalSize: UInt64? = nil
        if let meta = json["metadata"] {
            guard let members = meta.members else { throw FormatError.invalidIndex(path: path, reason: "metadata is \(meta.kindName), not an object") }
            if let key = meta.firstDuplicateKey { throw FormatError.invalidIndex(path: path, reason: "metadata key '\(key)' appears twice") }
            metadata = members
            if let size = meta["total_size"] {
                guard let value = size.uint64Value else {
                    throw FormatError.invalidIndex(path: path, reason: "total_size \(size.compactText) is not a non-negative integer")
                }
                totalSize = value
            }
        }
        guard let map = json["weight_map"] else { throw FormatError.invalidIndex(path: path, reason: "missing weight_map") }
        guard let entries = map.members else { throw FormatError.invalidIndex(path: path, reason: "weight_map is \(map.kindName), not an object") }
        if let key = map.firstDuplicateKey { throw FormatError.invalidIndex(path: path, reason: "tensor '\(key)' appears twice in weight_map") }
        var weightMap: [(tensor: String, shard: String)] = []
        weightMap.reserveCapacity(entries.count)
        for entry in entries {
            guard case let .string(shard) = entry.value else {
                throw FormatError.invalidIndex(path: path, reason: "weight_map['\(entry.key)'] is \(entry.value.kindName), not a file name")
            }
            weightMap.append((entry.key, shard))
        }
        return Index(metadata: metadata, totalSize: totalSize, weightMap: weightMap)
    }

    /// A shard name must be one plain file name: not empty, not `.`/`..`, no `/`, `\` or NUL
    /// (so no absolute or parent paths), and if it is a symlink it must resolve inside the folder
    /// (inside the cache repository for a Hugging Face cache snapshot).
    static func checkedShardURL(_ name: String, folder: URL, folderReal: String, indexPath: String) throws -> URL {
        let unsafe = name.isEmpty || name == "." || name == ".."
            || name.contains("/") || name.contains("\\") || name.utf8.contains(0)
        if unsafe { throw FormatError.unsafeShardPath(path: indexPath, shard: name) }
        let url = folder.appendingPathComponent(name)
        var info = stat()
        guard lstat(url.path, &info) == 0 else { throw FormatError.missingShard(path: indexPath, shard: name) }
        if (info.st_mode & S_IFMT) == S_IFLNK {
            switch HubCache.resolveLink(url.path, scope: HubCache.linkScope(forResolvedFolder: folderReal)) {
            case .inside: break
            case .outside: throw FormatError.unsafeShardPath(path: indexPath, shard: name)
            case .cycle: throw FormatError.symlinkCycle(path: url.path)
            case let .dangling(target): throw FormatError.danglingSymlink(path: url.path, target: target)
            }
        }
        return url
    }

    /// Canonical absolute path with every symlink resolved.
    static func realPath(_ url: URL) throws -> String {
        guard let resolved = realpath(url.path, nil) else {
            throw FormatError.io(path: url.path, reason: "cannot resolve path: \(String(cString: strerror(errno)))")
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
