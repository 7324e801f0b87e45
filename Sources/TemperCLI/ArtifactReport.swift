import Foundation
import TemperFormats

/// What `inspect` reports about any weight artifact, as data (the JSON schema of --json).
struct ArtifactReport: Encodable {
    struct TensorEntry: Encodable {
        var name: String
        var dtype: String
        var shape: [Int]
        var bytes: UInt64
        var offset: UInt64
        var file: String
    }
    struct KeyValue: Encodable {
        var key: String
        var type: String
        var value: String
    }
    struct Totals: Encodable {
        var files: Int
        var tensors: Int
        var parameters: UInt64
        var bytes: UInt64
    }

    var path: String
    var format: String
    var files: [String]
    var totals: Totals
    var metadata: [KeyValue]
    var config: [KeyValue]?
    var tensors: [TensorEntry]

    /// Reads only headers: tensor data is never touched.
    static func read(_ url: URL) throws -> ArtifactReport {
        if try GGUFFile.hasMagic(url) { return try gguf(url) }
        let ckpt = try Checkpoint.open(url)
        let tensors = ckpt.tensors.map {
            TensorEntry(name: $0.name, dtype: $0.dtype.rawValue, shape: $0.shape, bytes: $0.byteCount,
                        offset: $0.fileRange.lowerBound, file: $0.file)
        }
        var metadata = ckpt.metadata.map { KeyValue(key: $0.key, type: "string", value: $0.value) }
        metadata += ckpt.indexMetadata.map { KeyValue(key: "index.\($0.key)", type: "json", value: Self.text($0.value)) }
        let config = ckpt.config.map { summary in
            summary.entries.filter { $0.value.isScalar }.map { KeyValue(key: $0.key, type: "json", value: Self.text($0.value)) }
        }
        return ArtifactReport(
            path: url.path, format: ckpt.format.rawValue, files: ckpt.files.map { $0.url.lastPathComponent },
            totals: Totals(files: ckpt.files.count, tensors: tensors.count,
                           parameters: ckpt.tensors.reduce(0) { $0 + UInt64($1.elementCount) }, bytes: ckpt.totalBytes),
            metadata: metadata, config: config, tensors: tensors)
    }

    static func gguf(_ url: URL) throws -> ArtifactReport {
        let file = try GGUFFile(url: url)
        let tensors = file.tensors.map {
            TensorEntry(name: $0.name, dtype: $0.type.name, shape: $0.shape, bytes: $0.byteCount,
                        offset: $0.fileRange.lowerBound, file: url.lastPathComponent)
        }
        var metadata = [KeyValue(key: "gguf.version", type: "uint32", value: "\(file.version)"),
                        KeyValue(key: "gguf.alignment", type: "uint32", value: "\(file.alignment)")]
        metadata += file.metadata.map { KeyValue(key: $0.key, type: Self.typeName($0.value), value: Self.text($0.value)) }
        return ArtifactReport(
            path: url.path, format: "gguf", files: [url.lastPathComponent],
            totals: Totals(files: 1, tensors: tensors.count,
                           parameters: file.tensors.reduce(0) { $0 + $1.elementCount },
                           bytes: file.tensors.reduce(0) { $0 + $1.byteCount }),
            metadata: metadata, config: nil, tensors: tensors)
    }

    static func text(_ json: OrderedJSON) -> String {
        if let s = json.stringValue { return s }
        return String(decoding: json.serialized(style: .serdeCompact), as: UTF8.self)
    }

    static func typeName(_ value: GGUFValue) -> String {
        if case let .array(type, items) = value { return "array<\(type)>[\(items.count)]" }
        return "\(value.type)"
    }

    /// Long arrays (token lists) are shortened for reading; --json keeps the same shortening
    /// so that inspect never prints megabytes.
    static func text(_ value: GGUFValue) -> String {
        switch value {
        case let .string(s): return s
        case let .array(_, items):
            let shown = items.prefix(8).map { text($0) }.joined(separator: ", ")
            return items.count > 8 ? "[\(shown), … (\(items.count) items)]" : "[\(shown)]"
        case let .float32(f): return "\(f)"
        case let .float64(d): return "\(d)"
        case let .bool(b): return "\(b)"
        default: return value.integerValue.map { "\($0)" } ?? "\(value)"
        }
    }

    /// The human-readable form.
    var lines: [String] {
        var out = ["\(path)", "  format     \(format) (\(totals.files) file\(totals.files == 1 ? "" : "s"): \(files.joined(separator: ", ")))",
                   "  tensors    \(totals.tensors)", "  parameters \(Self.grouped(totals.parameters))",
                   "  bytes      \(Self.grouped(totals.bytes))"]
        if !metadata.isEmpty {
            out.append("metadata")
            out += metadata.map { "  \($0.key) = \($0.value)" }
        }
        if let config, !config.isEmpty {
            out.append("config.json")
            out += config.map { "  \($0.key) = \($0.value)" }
        }
        out.append("tensors")
        let nameWidth = min(max(tensors.map(\.name.count).max() ?? 4, 4), 60)
        for t in tensors {
            let name = t.name.padding(toLength: max(nameWidth, t.name.count), withPad: " ", startingAt: 0)
            let dtype = t.dtype.padding(toLength: 8, withPad: " ", startingAt: 0)
            let shape = "[\(t.shape.map(String.init).joined(separator: ", "))]".padding(toLength: 18, withPad: " ", startingAt: 0)
            out.append("  \(name)  \(dtype) \(shape) \(Self.grouped(t.bytes)) B @ \(t.offset)\(files.count > 1 ? " in \(t.file)" : "")")
        }
        return out
    }

    static func grouped(_ n: UInt64) -> String {
        let digits = Array(String(n))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return out
    }
}
