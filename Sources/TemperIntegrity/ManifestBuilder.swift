import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Builds the Temper manifest of a folder (or of a single file). The manifest leaves out
/// itself, the provenance file, the signature and model_signing's ignored paths, so it
/// depends only on the model's content and its digest can link provenance records.
public struct ManifestBuilder: Sendable {
    /// Top-level files that are never listed in a manifest.
    public static let excludedNames = [Manifest.fileName, ProvenanceLog.fileName]

    public var hasher: FolderHasher
    /// The signature file's folder-relative path (left out of the manifest); nil for none.
    public var signatureRelativePath: String?
    public var ignoreGitPaths = true
    public var ignorePaths: [String] = []

    public init(tensorLister: @escaping TensorLister = TensorListing.default, hasher: ParallelHasher = ParallelHasher(),
                allowSymlinks: Bool = false, signatureRelativePath: String? = ModelFolder.defaultSignatureName) {
        self.hasher = FolderHasher(walker: FolderWalker(allowSymlinks: allowSymlinks), hasher: hasher, tensorLister: tensorLister)
        self.signatureRelativePath = signatureRelativePath
    }

    static func isExcluded(_ relativePath: String, signatureRelative: String?) -> Bool {
        excludedNames.contains(relativePath) || relativePath == signatureRelative
    }

    /// The manifest of a folder, or of a single file (one entry named by the file's name).
    public func build(path: String) throws -> Manifest {
        var info = stat()
        guard stat(path, &info) == 0 else { throw IntegrityError.notFound(path: path) }
        if (info.st_mode & S_IFMT) == S_IFREG {
            let name = URL(fileURLWithPath: path).lastPathComponent
            let entry = FolderEntry(relativePath: name, path: path, size: UInt64(info.st_size))
            return Manifest(files: try hasher.hash(entries: [entry]))
        }
        var ignore = ModelFolder.ignoreList(git: ignoreGitPaths, extra: ignorePaths, signatureRelative: signatureRelativePath)
        for name in Self.excludedNames { ignore.add(name) }
        var folderHasher = hasher
        folderHasher.walker.ignore = ignore
        return Manifest(files: try folderHasher.hash(folder: path))
    }

    /// SHA-256 of the folder's canonical manifest bytes, as provenance records it.
    public func digest(folder: String) throws -> SHA256Digest { try build(path: folder).digest }
}
