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
        let (hasher, entries) = try listing(path: path)
        return Manifest(files: try hasher.hash(entries: entries))
    }

    /// Part `part` (1-based) of `parts` of the manifest `build(path:)` gives: the whole
    /// listing, and digests of only the files `FolderPartition` puts in that part.
    public func buildPart(path: String, part: Int, of parts: Int) throws -> PartialManifest {
        let (hasher, entries) = try listing(path: path)
        let listing = ManifestListing(entries.map { .init(path: $0.relativePath, size: $0.size) })
        let mine = PartialManifest.paths(ofPart: part, parts: parts, listing: listing)
        let files = try hasher.hash(entries: entries.filter { mine.contains($0.relativePath) })
        return PartialManifest(part: part, parts: parts, listing: listing, files: files)
    }

    /// The files a manifest of `path` covers, and the hasher set up for them.
    private func listing(path: String) throws -> (FolderHasher, [FolderEntry]) {
        var info = stat()
        guard stat(path, &info) == 0 else { throw IntegrityError.notFound(path: path) }
        if (info.st_mode & S_IFMT) == S_IFREG {
            let name = URL(fileURLWithPath: path).lastPathComponent
            return (hasher, [FolderEntry(relativePath: name, path: path, size: UInt64(max(0, info.st_size)))])
        }
        var ignore = ModelFolder.ignoreList(git: ignoreGitPaths, extra: ignorePaths, signatureRelative: signatureRelativePath)
        for name in Self.excludedNames { ignore.add(name) }
        var folderHasher = hasher
        folderHasher.walker.ignore = ignore
        return (folderHasher, try folderHasher.walker.list(path))
    }

    /// SHA-256 of the folder's canonical manifest bytes, as provenance records it.
    public func digest(folder: String) throws -> SHA256Digest { try build(path: folder).digest }
}
