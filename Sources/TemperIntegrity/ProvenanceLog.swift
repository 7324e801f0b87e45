import Foundation
import TemperFormats

/// `temper.provenance.json`: a JSON array of `ProvenanceRecord`s, oldest first, written
/// in the canonical layout (Python `json.dumps(indent=2, ensure_ascii=True)` + "\n").
public enum ProvenanceLog {
    public static let fileName = "temper.provenance.json"
    static let maxSize = 64 << 20

    /// The folder's records; empty when it has no provenance file.
    public static func read(folder: String) throws -> [ProvenanceRecord] {
        let path = folder + "/" + fileName
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let bytes = try ModelFolder.readSmallFile(path, limit: maxSize) { .malformedProvenance(path: path, reason: $0) }
        guard let items = try JSONDocument.parse(bytes, path: path).elements else {
            throw IntegrityError.malformedProvenance(path: path, reason: "top level is not an array")
        }
        return try items.enumerated().map { try ProvenanceRecord.parse($1, index: $0, path: path) }
    }

    public static func bytes(_ records: [ProvenanceRecord]) -> [UInt8] {
        OrderedJSON.array(records.map(\.json)).serialized(style: .pythonIndented(2)) + [0x0A]
    }

    /// Appends a record atomically: the old file stays intact until the new one is complete.
    /// `previous` are records carried over from the input (a transform copies its base's chain).
    public static func append(_ record: ProvenanceRecord, folder: String, previous: [ProvenanceRecord]? = nil) throws {
        let existing = try previous ?? read(folder: folder)
        try AtomicFile.write(Data(bytes(existing + [record])), to: URL(fileURLWithPath: folder + "/" + fileName))
    }

    /// Records one rewrite in `output` (a folder already written): the base digest is the
    /// manifest digest of `input` (a file or folder; nil for none), the output digest that of
    /// `output` now, and `input`'s own provenance records (when it is a folder) come first.
    @discardableResult
    public static func recordRewrite(operation: String, config: OrderedJSON, temperVersion: String, seed: UInt64?,
                                     started: Date, input: String?, output: String,
                                     builder: ManifestBuilder = ManifestBuilder()) throws -> ProvenanceRecord {
        var inherited: [ProvenanceRecord] = []
        var base: SHA256Digest?
        if let input {
            base = try builder.build(path: input).digest
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory), isDirectory.boolValue {
                inherited = try read(folder: input)
            }
        }
        let record = ProvenanceRecord(operation: operation, config: config, temperVersion: temperVersion, seed: seed,
                                      started: started, finished: Date(), baseManifest: base,
                                      outputManifest: try builder.digest(folder: output))
        try append(record, folder: output, previous: inherited)
        return record
    }

    /// Checks every link of the chain and the last link against the folder as it is now.
    public static func verifyChain(folder: String, builder: ManifestBuilder = ManifestBuilder()) throws -> ProvenanceChainReport {
        let records = try read(folder: folder)
        let current = try builder.digest(folder: folder).hex
        var links: [ProvenanceLink] = []
        for i in records.indices.dropLast() {
            let expected = records[i].outputManifestSHA256
            let found = records[i + 1].baseManifestSHA256
            links.append(ProvenanceLink(from: i, to: i + 1, expected: expected, found: found, ok: found == expected))
        }
        if let last = records.last {
            links.append(ProvenanceLink(from: records.count - 1, to: nil, expected: last.outputManifestSHA256,
                                        found: current, ok: current == last.outputManifestSHA256))
        }
        return ProvenanceChainReport(ok: !records.isEmpty && links.allSatisfy(\.ok), folder: folder,
                                     currentManifestSHA256: current, records: records, links: links)
    }
}

/// The result of `ProvenanceLog.verifyChain`.
public struct ProvenanceChainReport: Sendable, Equatable, Encodable {
    /// True when there is at least one record and every link holds.
    public var ok: Bool
    public var folder: String
    public var currentManifestSHA256: String
    public var records: [ProvenanceRecord]
    public var links: [ProvenanceLink]

    public var lines: [String] {
        var out: [String] = []
        for (i, r) in records.enumerated() {
            out.append("[\(i)] \(r.operation) (temper \(r.temperVersion), seed \(r.seed.map(String.init) ?? "none"), \(r.started) → \(r.finished))")
            out.append("    base   \(r.baseManifestSHA256 ?? "none")")
            out.append("    output \(r.outputManifestSHA256)")
        }
        for l in links where !l.ok {
            let target = l.to.map { "record \($0)'s base" } ?? "the folder's current manifest"
            out.append("BROKEN: record \(l.from)'s output \(l.expected) ≠ \(target) \(l.found ?? "none")")
        }
        if records.isEmpty { out.append("no provenance records in \(folder)") }
        out.append(ok ? "OK: \(records.count) records, chain intact, current manifest \(currentManifestSHA256)"
                      : "FAILED: provenance chain does not hold")
        return out
    }
}

/// One link: record `from`'s output digest against record `to`'s base digest, or (when
/// `to` is nil) against the folder's current manifest digest.
public struct ProvenanceLink: Sendable, Equatable, Codable {
    public var from: Int
    public var to: Int?
    public var expected: String
    public var found: String?
    public var ok: Bool
}
