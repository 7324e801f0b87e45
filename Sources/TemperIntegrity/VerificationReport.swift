/// The outcome of checking a folder against its signature. `ok` is true only when the
/// signature is valid and every signed file is present and unchanged with nothing added.
public struct VerificationReport: Sendable, Codable, Equatable {
    public var ok: Bool
    public var folder: String
    public var signature: String
    public var modelName: String
    public var curve: ECCurve
    /// Whether the bundle named its key (model_signing ≥ 1.0 does) and it matched.
    public var keyHintChecked: Bool
    public var filesSigned: Int
    public var filesChecked: Int
    /// Files present now that the signature does not cover.
    public var added: [String]
    /// Signed files that are gone.
    public var removed: [String]
    public var changed: [FileChange]
    /// Whether a signed, unchanged `temper.manifest.json` was used to name changed tensors.
    public var manifestCovered: Bool

    /// One line per finding, for people.
    public var lines: [String] {
        let note = keyHintChecked ? [] : ["note: the bundle does not name its key (pre-1.0 format); checked by signature only"]
        if ok { return note + ["OK: \(filesChecked) files match the signature \(signature)"] }
        var out: [String] = note
        for p in added { out.append("added: \(p)") }
        for p in removed { out.append("removed: \(p)") }
        for c in changed {
            out.append("changed: \(c.path)")
            for t in c.tensors ?? [] { out.append("  \(t.change.rawValue) tensor: \(t.name)") }
            if let note = c.tensorNote { out.append("  (\(note))") }
        }
        out.append("FAILED: \(added.count) added, \(removed.count) removed, \(changed.count) changed")
        return out
    }
}

/// A signed file whose content differs now.
public struct FileChange: Sendable, Codable, Equatable {
    public var path: String
    public var expectedSHA256: String
    public var actualSHA256: String
    /// Tensors that differ from the signed manifest (nil when there is no covered manifest
    /// entry with tensors for this file).
    public var tensors: [TensorChange]?
    /// Why tensors could not be compared, when they could not.
    public var tensorNote: String?
}

public struct TensorChange: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable { case changed, added, removed }
    public var name: String
    public var change: Kind
    public var expectedSHA256: String?
    public var actualSHA256: String?
}
