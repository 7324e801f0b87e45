import Foundation
import TemperFormats

/// One rewrite of a checkpoint (Formats/provenance.md): what ran, with which full
/// configuration, Temper version and seed, when, and the manifest digests of its input
/// and output. Records chain: each record's output digest is the next one's base digest.
public struct ProvenanceRecord: Sendable, Equatable, Encodable {
    public var operation: String
    /// The operation's complete configuration, key order kept.
    public var config: OrderedJSON
    public var temperVersion: String
    public var seed: UInt64?
    /// ISO-8601 UTC timestamps, e.g. "2025-03-01T12:00:00.000Z".
    public var started: String
    public var finished: String
    /// Manifest digest of the input (nil when the operation had no input folder or file).
    public var baseManifestSHA256: String?
    public var outputManifestSHA256: String

    public init(operation: String, config: OrderedJSON, temperVersion: String, seed: UInt64?, started: Date, finished: Date,
                baseManifest: SHA256Digest?, outputManifest: SHA256Digest) {
        self.operation = operation; self.config = config; self.temperVersion = temperVersion; self.seed = seed
        self.started = Self.timestamp(started); self.finished = Self.timestamp(finished)
        self.baseManifestSHA256 = baseManifest?.hex; self.outputManifestSHA256 = outputManifest.hex
    }

    /// UTC, millisecond precision, "Z" suffix.
    public static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    static func isTimestamp(_ text: String) -> Bool {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if formatter.date(from: text) != nil { return true }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text) != nil
    }

    public var json: OrderedJSON {
        .object([
            JSONMember("operation", .string(operation)),
            JSONMember("config", config),
            JSONMember("temper_version", .string(temperVersion)),
            JSONMember("seed", seed.map { .int($0) } ?? .null),
            JSONMember("started", .string(started)),
            JSONMember("finished", .string(finished)),
            JSONMember("base_manifest_sha256", baseManifestSHA256.map { .string($0) } ?? .null),
            JSONMember("output_manifest_sha256", .string(outputManifestSHA256)),
        ])
    }

    enum CodingKeys: String, CodingKey {
        case operation, config, seed, started, finished
        case temperVersion = "temper_version"
        case baseManifestSHA256 = "base_manifest_sha256"
        case outputManifestSHA256 = "output_manifest_sha256"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(operation, forKey: .operation)
        try c.encode(EncodableJSON(config), forKey: .config)
        try c.encode(temperVersion, forKey: .temperVersion)
        try c.encode(seed, forKey: .seed)
        try c.encode(started, forKey: .started)
        try c.encode(finished, forKey: .finished)
        try c.encode(baseManifestSHA256, forKey: .baseManifestSHA256)
        try c.encode(outputManifestSHA256, forKey: .outputManifestSHA256)
    }

    static let keys = ["operation", "config", "temper_version", "seed", "started", "finished", "base_manifest_sha256", "output_manifest_sha256"]

    /// Reads record `index` of a provenance file, checking every field.
    static func parse(_ value: OrderedJSON, index: Int, path: String) throws -> ProvenanceRecord {
        func bad(_ reason: String) -> IntegrityError { .malformedProvenance(path: path, reason: "record \(index): \(reason)") }
        guard let members = value.members else { throw bad("not an object") }
        for m in members where !keys.contains(m.key) { throw bad("unknown key '\(m.key)'") }
        for k in keys where value[k] == nil { throw bad("missing '\(k)'") }
        guard let operation = value["operation"]?.stringValue, !operation.isEmpty else { throw bad("'operation' is not a non-empty string") }
        guard let config = value["config"] else { throw bad("missing 'config'") }
        guard let version = value["temper_version"]?.stringValue else { throw bad("'temper_version' is not a string") }
        var seed: UInt64?
        if let s = value["seed"], !s.isNull {
            guard let v = s.uint64Value else { throw bad("'seed' is not an unsigned 64-bit integer") }
            seed = v
        }
        guard let started = value["started"]?.stringValue, isTimestamp(started) else { throw bad("'started' is not an ISO-8601 time") }
        guard let finished = value["finished"]?.stringValue, isTimestamp(finished) else { throw bad("'finished' is not an ISO-8601 time") }
        var base: String?
        if let b = value["base_manifest_sha256"], !b.isNull {
            guard let text = b.stringValue, let digest = SHA256Digest(hex: text), digest.hex == text else {
                throw bad("'base_manifest_sha256' is not a lowercase SHA-256 hex digest")
            }
            base = text
        }
        guard let output = value["output_manifest_sha256"]?.stringValue, let digest = SHA256Digest(hex: output), digest.hex == output else {
            throw bad("'output_manifest_sha256' is not a lowercase SHA-256 hex digest")
        }
        var record = ProvenanceRecord(operation: operation, config: config, temperVersion: version, seed: seed,
                                      started: Date(), finished: Date(), baseManifest: nil, outputManifest: digest)
        record.started = started
        record.finished = finished
        record.baseManifestSHA256 = base
        return record
    }
}
