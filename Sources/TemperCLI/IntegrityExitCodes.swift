import ArgumentParser
import TemperIntegrity

/// Exit codes for integrity errors: 3 when a signature does not hold, 64 for a missing
/// path, 65 for bad input data (keys, bundles, manifests, links), 1 for I/O faults.
extension IntegrityError: ExitCoded {
    public var exitCode: Int32 {
        switch self {
        case .signatureInvalid, .keyMismatch, .subjectDigestMismatch: return 3
        case .notFound, .notADirectory: return 64
        case .io, .crypto, .fileChangedWhileReading: return 1
        case .symlinkNotAllowed, .symlinkOutsideFolder, .symlinkCycle, .danglingSymlink, .specialFile, .fileNameNotUTF8,
             .keyUnreadable, .wrongKeyType, .unsupportedCurve, .encryptedKey,
             .malformedBundle, .malformedPayload, .unsupportedSerialization,
             .malformedManifest, .malformedProvenance, .invalidJSON, .tensorListing, .tensorRangeOutsideFile,
             .manifestPartsInconsistent, .manifestDoesNotMatchFolder:
            return 65
        }
    }
}

extension ECCurve: ExpressibleByArgument {}

/// Folder-selection flags shared by sign and verify (model_signing's names, kebab-cased).
struct FolderSelectionOptions: ParsableArguments {
    @Option(name: .long, parsing: .upToNextOption, help: "Folder-relative paths to leave out of the signature.")
    var ignorePaths: [String] = []

    @Flag(name: .long, inversion: .prefixedNo, help: "Ignore .git, .gitattributes, .github and .gitignore (model_signing's default).")
    var ignoreGitPaths = true

    @Flag(name: .long, help: "Hash files behind symbolic links that stay inside the folder (links out are always refused).")
    var allowSymlinks = false
}
