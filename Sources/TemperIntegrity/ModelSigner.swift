import Foundation
import TemperFormats

/// Settings for `ModelSigner.sign`; the defaults match `model_signing sign key`.
public struct SigningOptions: Sendable {
    /// Where the bundle goes; nil means `FOLDER/model.sig`.
    public var signaturePath: String?
    public var allowSymlinks = false
    /// Extra folder-relative paths to leave out (model_signing `--ignore-paths`).
    public var ignorePaths: [String] = []
    public var ignoreGitPaths = true
    /// Write `temper.manifest.json` (per-tensor digests) into the folder and sign it too.
    public var writeManifest = true
    public var tensorLister: TensorLister = TensorListing.default
    public var hasher = ParallelHasher()
    /// A manifest already built for this folder (for example merged from machines' parts):
    /// its file digests are signed instead of re-reading the files it covers; the folder's
    /// listing must match it exactly (paths and sizes). `manifestSource` names it in errors.
    public var manifest: Manifest?
    public var manifestSource = "manifest"

    public init(signaturePath: String? = nil) { self.signaturePath = signaturePath }
}

/// What a signing run produced.
public struct SignResult: Sendable, Codable, Equatable {
    public var folder: String
    public var signature: String
    public var modelName: String
    public var curve: ECCurve
    public var files: Int
    public var tensors: Int
    /// The in-toto subject digest (SHA-256 over all file digests).
    public var subjectDigest: String
    /// Path and digest of the manifest written, when one was.
    public var manifest: String?
    public var manifestDigest: String?
}

/// Signs a model folder exactly as model_signing's key method does, so that
/// `model_signing verify key` accepts the result. A Hugging Face cache snapshot is signed
/// with its links followed (blob contents under the snapshot's file names) and records
/// `allow_symlinks: true`, as `model_signing sign --allow_symlinks` does.
public enum ModelSigner {
    public static func sign(folder: String, key: ECPrivateKey, options: SigningOptions = SigningOptions()) throws -> SignResult {
        let signaturePath = options.signaturePath ?? folder + "/" + ModelFolder.defaultSignatureName
        let signatureRelative = try ModelFolder.relativePath(of: signaturePath, inside: folder)
        let ignore = ModelFolder.ignoreList(git: options.ignoreGitPaths, extra: options.ignorePaths, signatureRelative: signatureRelative)
        let hasher = FolderHasher(walker: FolderWalker(ignore: ignore, allowSymlinks: options.allowSymlinks),
                                  hasher: options.hasher, tensorLister: options.tensorLister)
        var entries = try hasher.walker.list(folder)
        let coversManifest = options.writeManifest && !ignore.ignores([Manifest.fileName])
        if options.writeManifest { entries.removeAll { $0.relativePath == Manifest.fileName } }
        let digests = try options.manifest.map { try Self.digests(entries, from: $0, source: options.manifestSource,
                                                                   signatureRelative: signatureRelative, hasher: hasher) }
            ?? hasher.hash(entries: entries, withTensors: options.writeManifest)

        // Temporary files go outside the folder, so a kill mid-write leaves nothing in it.
        let staging = AtomicFile.stagingFolder(outside: URL(fileURLWithPath: folder))
        var resources = digests.map { SignedResource(name: $0.path, digest: $0.sha256) }
        var manifestPath: String?
        var manifestDigest: SHA256Digest?
        var tensorCount = 0
        if options.writeManifest {
            let manifest = Manifest(files: digests.filter { !ManifestBuilder.isExcluded($0.path, signatureRelative: signatureRelative) })
            let bytes = manifest.canonicalBytes
            let path = folder + "/" + Manifest.fileName
            try AtomicFile.write(Data(bytes), to: URL(fileURLWithPath: path), stagingFolder: staging)
            let digest = SHA256Digest.of(bytes)
            if coversManifest { resources.append(SignedResource(name: Manifest.fileName, digest: digest)) }
            manifestPath = path
            manifestDigest = digest
            tensorCount = manifest.files.reduce(0) { $0 + ($1.tensors?.count ?? 0) }
        }

        let followsLinks = try options.allowSymlinks || HubCache.isSnapshot(resolvedFolder: FolderWalker.realPath(folder))
        let statement = InTotoStatement(modelName: ModelFolder.modelName(folder), resources: resources,
                                        ignorePaths: FolderWalker.sortPaths(ignore.paths), allowSymlinks: followsLinks)
        let payload = statement.bytes
        let signature = try key.sign(DSSE.pae(payloadType: InTotoStatement.payloadType, payload: payload))
        let bundle = SigstoreBundle(keyHint: try key.publicKey().hint(), payload: payload, signature: signature)
        // The signature is written last: until its rename the old signature stands (with the
        // same manifest bytes when the files did not change), after it the new one.
        try AtomicFile.write(Data(bundle.bytes), to: URL(fileURLWithPath: signaturePath),
                             stagingFolder: signatureRelative == nil ? nil : staging)
        return SignResult(folder: folder, signature: signaturePath, modelName: statement.modelName, curve: key.curve,
                          files: statement.resources.count, tensors: tensorCount, subjectDigest: statement.subjectDigest.hex,
                          manifest: manifestPath, manifestDigest: manifestDigest?.hex)
    }

    /// The folder's file digests taken from `manifest`, after checking it lists exactly the
    /// folder's files with their sizes; only files manifests leave out (provenance) are read.
    static func digests(_ entries: [FolderEntry], from manifest: Manifest, source: String, signatureRelative: String?,
                        hasher: FolderHasher) throws -> [FileDigest] {
        let covered = entries.filter { !ManifestBuilder.isExcluded($0.relativePath, signatureRelative: signatureRelative) }
        var byPath: [[UInt8]: FileDigest] = [:]
        for f in manifest.files { byPath[Array(f.path.utf8)] = f }
        for entry in covered {
            guard let f = byPath.removeValue(forKey: Array(entry.relativePath.utf8)) else {
                throw IntegrityError.manifestDoesNotMatchFolder(manifest: source, file: entry.relativePath, reason: "the manifest does not list it")
            }
            guard f.size == entry.size else {
                throw IntegrityError.manifestDoesNotMatchFolder(manifest: source, file: entry.relativePath,
                                                                reason: "the manifest says \(f.size) bytes, the file has \(entry.size)")
            }
        }
        if let extra = FolderWalker.sortPaths(byPath.values.map(\.path)).first {
            throw IntegrityError.manifestDoesNotMatchFolder(manifest: source, file: extra, reason: "listed in the manifest but not in the folder")
        }
        let excluded = entries.filter { ManifestBuilder.isExcluded($0.relativePath, signatureRelative: signatureRelative) }
        return manifest.files + (try hasher.hash(entries: excluded, withTensors: false))
    }
}
