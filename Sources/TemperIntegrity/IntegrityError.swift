import Foundation

/// Every way hashing, signing, verification or provenance can fail. Each case names the
/// file (and where it applies the tensor, key or field) so a user can find the fault.
/// A verification that ran but found differences is not an error: it is a
/// `VerificationReport` with `ok == false`.
public enum IntegrityError: Error, Equatable, Sendable {
    // file system
    case io(path: String, reason: String)
    case notFound(path: String)
    case notADirectory(path: String)
    case symlinkNotAllowed(path: String)
    case symlinkOutsideFolder(path: String, target: String)
    case symlinkCycle(path: String)
    case danglingSymlink(path: String, target: String)
    case specialFile(path: String)
    case fileNameNotUTF8(path: String)
    case fileChangedWhileReading(path: String, expectedSize: UInt64, actualSize: UInt64)
    // keys
    case keyUnreadable(path: String, reason: String)
    case wrongKeyType(path: String, found: String)
    case unsupportedCurve(path: String, curve: String)
    case encryptedKey(path: String)
    case crypto(operation: String, reason: String)
    // signature bundle and payload
    case malformedBundle(path: String, reason: String)
    case malformedPayload(path: String, reason: String)
    case unsupportedSerialization(path: String, reason: String)
    case keyMismatch(path: String, hint: String, keyHash: String)
    case signatureInvalid(path: String)
    case subjectDigestMismatch(path: String, expected: String, computed: String)
    // manifest and provenance
    case malformedManifest(path: String, reason: String)
    case malformedProvenance(path: String, reason: String)
    case invalidJSON(path: String, offset: Int, reason: String)
    case tensorListing(path: String, reason: String)
    case tensorRangeOutsideFile(path: String, tensor: String, end: UInt64, fileSize: UInt64)
    /// Partial manifests that do not make one whole folder's manifest (`manifest merge`).
    case manifestPartsInconsistent(path: String, reason: String)
    /// A manifest given to `sign --manifest` that does not describe the folder as it is.
    case manifestDoesNotMatchFolder(manifest: String, file: String, reason: String)
}

extension IntegrityError: LocalizedError {
    public var errorDescription: String? {
        switch self {
        case let .io(path, reason): return "\(path): \(reason)"
        case let .notFound(path): return "\(path): no such file or folder"
        case let .notADirectory(path): return "\(path): not a folder"
        case let .symlinkNotAllowed(path):
            return "\(path): is a symbolic link (symlinks are not signed; pass --allow-symlinks to follow links that stay inside the folder)"
        case let .symlinkOutsideFolder(path, target): return "\(path): symbolic link points outside the folder (to \(target))"
        case let .symlinkCycle(path): return "\(path): symbolic link loops back on itself"
        case let .danglingSymlink(path, target): return "\(path): symbolic link to '\(target)', which does not exist"
        case let .specialFile(path): return "\(path): neither a regular file nor a folder (socket, pipe, device or broken link)"
        case let .fileNameNotUTF8(path): return "\(path): file name is not valid UTF-8"
        case let .fileChangedWhileReading(path, expected, actual):
            return "\(path): file changed while it was hashed (size \(expected) became \(actual))"
        case let .keyUnreadable(path, reason): return "\(path): cannot read key: \(reason)"
        case let .wrongKeyType(path, found): return "\(path): wrong key type: \(found)"
        case let .unsupportedCurve(path, curve): return "\(path): unsupported curve '\(curve)' (supported: P-256, P-384, P-521)"
        case let .encryptedKey(path): return "\(path): the private key is encrypted; decrypt it first (passwords are not supported)"
        case let .crypto(operation, reason): return "\(operation) failed: \(reason)"
        case let .malformedBundle(path, reason): return "\(path): malformed signature bundle: \(reason)"
        case let .malformedPayload(path, reason): return "\(path): malformed in-toto payload: \(reason)"
        case let .unsupportedSerialization(path, reason): return "\(path): unsupported serialization: \(reason)"
        case let .keyMismatch(path, hint, keyHash):
            return "\(path): signed for the key with hash \(hint), but the given public key hashes to \(keyHash)"
        case let .signatureInvalid(path): return "\(path): the signature does not verify with the given public key"
        case let .subjectDigestMismatch(path, expected, computed):
            return "\(path): payload is inconsistent: subject digest \(expected) but its resources hash to \(computed)"
        case let .malformedManifest(path, reason): return "\(path): malformed manifest: \(reason)"
        case let .malformedProvenance(path, reason): return "\(path): malformed provenance: \(reason)"
        case let .invalidJSON(path, offset, reason): return "\(path): invalid JSON at byte \(offset): \(reason)"
        case let .tensorListing(path, reason): return "\(path): cannot list tensors: \(reason)"
        case let .tensorRangeOutsideFile(path, tensor, end, fileSize):
            return "\(path): tensor '\(tensor)' ends at byte \(end), past the end of the \(fileSize)-byte file"
        case let .manifestPartsInconsistent(path, reason): return "\(path): partial manifests do not merge: \(reason)"
        case let .manifestDoesNotMatchFolder(manifest, file, reason):
            return "\(manifest): does not describe the folder's '\(file)': \(reason)"
        }
    }
}
