import Foundation
import TemperFormats

/// One tensor of a weight file: where its bytes lie in the file and their SHA-256.
public struct TensorDigest: Sendable, Equatable, Codable {
    public var name: String
    public var dtype: String
    public var shape: [Int]
    /// Absolute byte range in the file (begin inclusive, end exclusive).
    public var begin: UInt64
    public var end: UInt64
    public var sha256: SHA256Digest

    public init(name: String, dtype: String, shape: [Int], begin: UInt64, end: UInt64, sha256: SHA256Digest) {
        self.name = name; self.dtype = dtype; self.shape = shape; self.begin = begin; self.end = end; self.sha256 = sha256
    }
}

/// One file of a model folder. `tensors` is set for weight files (.safetensors), nil otherwise.
public struct FileDigest: Sendable, Equatable, Codable {
    public var path: String
    public var size: UInt64
    public var sha256: SHA256Digest
    public var tensors: [TensorDigest]?

    public init(path: String, size: UInt64, sha256: SHA256Digest, tensors: [TensorDigest]? = nil) {
        self.path = path; self.size = size; self.sha256 = sha256; self.tensors = tensors
    }
}

/// `temper.manifest.json` (Formats/manifest.md): every file's path, size and SHA-256 and,
/// for weight files, every tensor's name, dtype, shape, byte range and SHA-256. The bytes
/// are canonical (Python `json.dumps(indent=2, ensure_ascii=True)` + "\n", fixed key
/// order, files sorted by path components), so the same folder always gives the same bytes.
public struct Manifest: Sendable, Equatable, Codable {
    public static let fileName = "temper.manifest.json"
    public static let format = "temper.manifest"
    public static let currentVersion = 1

    public var version: Int
    public var files: [FileDigest]

    public init(files: [FileDigest], version: Int = Manifest.currentVersion) {
        self.version = version
        let order = FolderWalker.sortPaths(files.map(\.path))
        var byPath: [[UInt8]: FileDigest] = [:]
        for f in files { byPath[Array(f.path.utf8)] = f }
        var emitted = Set<[UInt8]>()
        self.files = order.compactMap { emitted.insert(Array($0.utf8)).inserted ? byPath[Array($0.utf8)] : nil }
    }

    public var json: OrderedJSON {
        .object([
            JSONMember("format", .string(Self.format)),
            JSONMember("version", .int(version)),
            JSONMember("hash_type", .string("sha256")),
            JSONMember("files", .array(files.map(Self.fileJSON))),
        ])
    }

    /// The exact bytes written to `temper.manifest.json`.
    public var canonicalBytes: [UInt8] { json.serialized(style: .pythonIndented(2)) + [0x0A] }

    /// The manifest digest: SHA-256 of `canonicalBytes` (what provenance records link).
    public var digest: SHA256Digest { SHA256Digest.of(canonicalBytes) }

    public func file(_ path: String) -> FileDigest? {
        let wanted = Array(path.utf8)
        return files.first { Array($0.path.utf8) == wanted }
    }

    static func fileJSON(_ f: FileDigest) -> OrderedJSON {
        var members = [JSONMember("path", .string(f.path)), JSONMember("size", .int(f.size)), JSONMember("sha256", .string(f.sha256.hex))]
        if let tensors = f.tensors {
            members.append(JSONMember("tensors", .array(tensors.map { t in
                .object([
                    JSONMember("name", .string(t.name)),
                    JSONMember("dtype", .string(t.dtype)),
                    JSONMember("shape", .array(t.shape.map { .int($0) })),
                    JSONMember("byte_range", .array([.int(t.begin), .int(t.end)])),
                    JSONMember("sha256", .string(t.sha256.hex)),
                ])
            })))
        }
        return .object(members)
    }

    /// Reads a manifest, checking every field; unknown keys are rejected so nothing unsigned hides in it.
    public static func parse(_ bytes: [UInt8], path: String) throws -> Manifest {
        let root = try JSONDocument.parse(bytes, path: path)
        func bad(_ reason: String) -> IntegrityError { .malformedManifest(path: path, reason: reason) }
        guard let top = root.members else { throw bad("top level is not an object") }
        try requireKeys(top, ["format", "version", "hash_type", "files"], optional: [], bad)
        guard root["format"]?.stringValue == format else { throw bad("'format' is not '\(format)'") }
        guard let version = root["version"]?.int64Value, version == Int64(currentVersion) else { throw bad("unsupported 'version'") }
        guard root["hash_type"]?.stringValue == "sha256" else { throw bad("'hash_type' is not 'sha256'") }
        guard let list = root["files"]?.elements else { throw bad("'files' is not an array") }
        var files: [FileDigest] = []
        var seen = Set<[UInt8]>()
        for item in list {
            let file = try fileEntry(item, bad)
            guard seen.insert(Array(file.path.utf8)).inserted else { throw bad("'\(file.path)' appears twice") }
            files.append(file)
        }
        return Manifest(files: files)
    }

    /// One entry of `files` (shared with partial manifests).
    static func fileEntry(_ item: OrderedJSON, _ bad: (String) -> IntegrityError) throws -> FileDigest {
        guard let obj = item.members else { throw bad("a file entry is not an object") }
        try requireKeys(obj, ["path", "size", "sha256"], optional: ["tensors"], bad)
        guard let p = item["path"]?.stringValue, let size = item["size"]?.uint64Value,
              let sha = item["sha256"]?.stringValue.flatMap(SHA256Digest.init(hex:)) else { throw bad("invalid file entry") }
        var tensors: [TensorDigest]?
        if let list = item["tensors"] {
            guard let array = list.elements else { throw bad("'\(p)': 'tensors' is not an array") }
            tensors = try array.map { try tensor($0, file: p, bad) }
        }
        return FileDigest(path: p, size: size, sha256: sha, tensors: tensors)
    }

    private static func tensor(_ v: OrderedJSON, file: String, _ bad: (String) -> IntegrityError) throws -> TensorDigest {
        guard let obj = v.members else { throw bad("'\(file)': a tensor entry is not an object") }
        try requireKeys(obj, ["name", "dtype", "shape", "byte_range", "sha256"], optional: [], bad)
        guard let name = v["name"]?.stringValue, let dtype = v["dtype"]?.stringValue,
              let shape = v["shape"]?.elements?.map({ $0.int64Value.flatMap { $0 >= 0 ? Int(exactly: $0) : nil } }),
              !shape.contains(nil), let range = v["byte_range"]?.elements, range.count == 2,
              let begin = range[0].uint64Value, let end = range[1].uint64Value, begin <= end,
              let sha = v["sha256"]?.stringValue.flatMap(SHA256Digest.init(hex:)) else {
            throw bad("'\(file)': invalid tensor entry")
        }
        return TensorDigest(name: name, dtype: dtype, shape: shape.compactMap { $0 }, begin: begin, end: end, sha256: sha)
    }

    static func requireKeys(_ members: [JSONMember], _ required: [String], optional: [String], _ bad: (String) -> IntegrityError) throws {
        let keys = members.map(\.key)
        for k in required where !keys.contains(k) { throw bad("missing '\(k)'") }
        for k in keys where !required.contains(k) && !optional.contains(k) { throw bad("unknown key '\(k)'") }
    }
}
