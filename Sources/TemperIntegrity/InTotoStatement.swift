import Foundation
import TemperFormats

/// One signed file as model_signing records it in the predicate's `resources`.
public struct SignedResource: Sendable, Equatable, Codable {
    public var name: String
    public var algorithm: String
    public var digest: SHA256Digest

    public init(name: String, digest: SHA256Digest, algorithm: String = "sha256") {
        self.name = name; self.digest = digest; self.algorithm = algorithm
    }
}

/// The in-toto v1 Statement model_signing 1.x signs (predicate `https://model_signing/signature/v1.0`,
/// serialization method "files", SHA-256). `bytes` reproduces protobuf `MessageToJson`
/// output: two-space indent, ASCII escapes, no trailing newline; the predicate's keys in
/// the order model_signing builds them (its protobuf Struct emits them in hash order, which
/// verifiers ignore because they parse the JSON).
public struct InTotoStatement: Sendable, Equatable {
    public static let statementType = "https://in-toto.io/Statement/v1"
    public static let predicateType = "https://model_signing/signature/v1.0"
    public static let payloadType = "application/vnd.in-toto+json"

    public var modelName: String
    public var allowSymlinks: Bool
    public var ignorePaths: [String]
    /// In the order listed; `init` sorts them as model_signing does (by path components).
    public var resources: [SignedResource]
    /// SHA-256 over the concatenated raw digests of `resources`, in listed order.
    public var subjectDigest: SHA256Digest

    public init(modelName: String, resources: [SignedResource], ignorePaths: [String], allowSymlinks: Bool = false) {
        self.modelName = modelName
        self.allowSymlinks = allowSymlinks
        self.ignorePaths = ignorePaths
        let order = FolderWalker.sortPaths(resources.map(\.name))
        var byName: [[UInt8]: SignedResource] = [:]
        for r in resources { byName[Array(r.name.utf8)] = r }
        var emitted = Set<[UInt8]>()
        self.resources = order.compactMap { emitted.insert(Array($0.utf8)).inserted ? byName[Array($0.utf8)] : nil }
        self.subjectDigest = Self.rootDigest(self.resources)
    }

    static func rootDigest(_ resources: [SignedResource]) -> SHA256Digest {
        let stream = SHA256Stream()
        for r in resources { stream.update(r.digest.bytes) }
        return stream.finalize()
    }

    public var json: OrderedJSON {
        var serialization = [JSONMember("method", .string("files")), JSONMember("hash_type", .string("sha256")),
                             JSONMember("allow_symlinks", .bool(allowSymlinks))]
        if !ignorePaths.isEmpty { serialization.append(JSONMember("ignore_paths", .array(ignorePaths.map { .string($0) }))) }
        var subject: [JSONMember] = []
        if !modelName.isEmpty { subject.append(JSONMember("name", .string(modelName))) }  // proto3 omits empty strings
        subject.append(JSONMember("digest", .object([JSONMember("sha256", .string(subjectDigest.hex))])))
        return .object([
            JSONMember("_type", .string(Self.statementType)),
            JSONMember("subject", .array([.object(subject)])),
            JSONMember("predicateType", .string(Self.predicateType)),
            JSONMember("predicate", .object([
                JSONMember("serialization", .object(serialization)),
                JSONMember("resources", .array(resources.map { r in
                    .object([JSONMember("name", .string(r.name)), JSONMember("algorithm", .string(r.algorithm)),
                             JSONMember("digest", .string(r.digest.hex))])
                })),
            ])),
        ])
    }

    /// The DSSE payload bytes.
    public var bytes: [UInt8] { json.serialized(style: .pythonIndented(2)) }

    /// Reads a payload as model_signing's verifier does (`dsse_payload_to_manifest`),
    /// including its consistency check of the subject digest. `path` names the signature file.
    public static func parse(_ payload: [UInt8], path: String) throws -> InTotoStatement {
        let root = try JSONDocument.parse(payload, path: path + " (payload)")
        func bad(_ reason: String) -> IntegrityError { .malformedPayload(path: path, reason: reason) }
        guard root.members != nil else { throw bad("not a JSON object") }
        guard let type = root["_type"]?.stringValue, type == statementType else { throw bad("'_type' is not '\(statementType)'") }
        guard let predicateType = root["predicateType"]?.stringValue else { throw bad("missing 'predicateType'") }
        guard predicateType == Self.predicateType else {
            throw IntegrityError.unsupportedSerialization(path: path, reason: "predicate type '\(predicateType)' (supported: \(Self.predicateType))")
        }
        guard let subjects = root["subject"]?.elements, subjects.count == 1 else { throw bad("expected exactly one subject") }
        let name = subjects[0]["name"]?.stringValue ?? ""
        guard let expected = subjects[0]["digest"]?["sha256"]?.stringValue else { throw bad("subject has no sha256 digest") }
        guard let predicate = root["predicate"], let serialization = predicate["serialization"], serialization.members != nil else {
            throw bad("missing 'predicate.serialization'")
        }
        guard let method = serialization["method"]?.stringValue else { throw bad("missing serialization 'method'") }
        guard method == "files" else { throw IntegrityError.unsupportedSerialization(path: path, reason: "method '\(method)' (supported: files)") }
        guard let hashType = serialization["hash_type"]?.stringValue else { throw bad("missing serialization 'hash_type'") }
        guard hashType == "sha256" else { throw IntegrityError.unsupportedSerialization(path: path, reason: "hash type '\(hashType)' (supported: sha256)") }
        guard let allow = serialization["allow_symlinks"]?.boolValue else { throw bad("missing or non-boolean 'allow_symlinks'") }
        var ignore: [String] = []
        if let list = serialization["ignore_paths"] {
            guard let items = list.elements?.map(\.stringValue), !items.contains(nil) else { throw bad("'ignore_paths' is not a list of strings") }
            ignore = items.compactMap { $0 }
        }
        guard let list = predicate["resources"]?.elements else { throw bad("missing 'predicate.resources'") }
        var resources: [SignedResource] = []
        var seen = Set<[UInt8]>()
        for item in list {
            guard let rname = item["name"]?.stringValue, let algorithm = item["algorithm"]?.stringValue,
                  let hex = item["digest"]?.stringValue else { throw bad("a resource lacks name, algorithm or digest") }
            guard algorithm == "sha256" else { throw IntegrityError.unsupportedSerialization(path: path, reason: "resource '\(rname)' uses '\(algorithm)'") }
            guard let digest = SHA256Digest(hex: hex) else { throw bad("resource '\(rname)' has an invalid sha256 digest") }
            guard seen.insert(Array(rname.utf8)).inserted else { throw bad("resource '\(rname)' is listed twice") }
            resources.append(SignedResource(name: rname, digest: digest))
        }
        let computed = rootDigest(resources)
        guard computed.hex == expected else {
            throw IntegrityError.subjectDigestMismatch(path: path, expected: expected, computed: computed.hex)
        }
        var statement = InTotoStatement(modelName: name, resources: resources, ignorePaths: ignore, allowSymlinks: allow)
        statement.resources = resources  // keep the listed order; the digest was checked over it
        statement.subjectDigest = computed
        return statement
    }
}
