import Foundation

/// Settings for `ModelVerifier.verify`; the defaults match `model_signing verify key`.
public struct VerifyOptions: Sendable {
    /// The bundle to check; nil means `FOLDER/model.sig`.
    public var signaturePath: String?
    public var allowSymlinks = false
    public var ignorePaths: [String] = []
    public var ignoreGitPaths = true
    public var tensorLister: TensorLister = TensorListing.default
    public var hasher = ParallelHasher()

    public init(signaturePath: String? = nil) { self.signaturePath = signaturePath }
}

/// Checks a folder against a model_signing key-method bundle: the signature with the
/// public key, the payload's own consistency, then every file's SHA-256 recomputed.
/// Signature faults throw (`signatureInvalid`, `keyMismatch`, `malformedBundle`, …);
/// content differences come back in the report with `ok == false`.
public enum ModelVerifier {
    public static func verify(folder: String, key: ECPublicKey, options: VerifyOptions = VerifyOptions()) throws -> VerificationReport {
        let signaturePath = options.signaturePath ?? folder + "/" + ModelFolder.defaultSignatureName
        let statement = try checkSignature(at: signaturePath, key: key)
        let signatureRelative = try ModelFolder.relativePath(of: signaturePath, inside: folder)
        let ignore = ModelFolder.ignoreList(git: options.ignoreGitPaths, extra: options.ignorePaths,
                                            signatureRelative: signatureRelative, recorded: statement.statement.ignorePaths)
        let hasher = FolderHasher(walker: FolderWalker(ignore: ignore, allowSymlinks: options.allowSymlinks),
                                  hasher: options.hasher, tensorLister: options.tensorLister)
        let entries = try hasher.walker.list(folder)
        let current = try hasher.hash(entries: entries, withTensors: false)

        var signed: [[UInt8]: SignedResource] = [:]
        for r in statement.statement.resources { signed[Array(r.name.utf8)] = r }
        var now: [[UInt8]: FileDigest] = [:]
        for f in current { now[Array(f.path.utf8)] = f }
        let added = current.filter { signed[Array($0.path.utf8)] == nil }.map(\.path)
        let removed = FolderWalker.sortPaths(statement.statement.resources.filter { now[Array($0.name.utf8)] == nil }.map(\.name))
        var changed: [FileChange] = []
        for f in current {
            guard let r = signed[Array(f.path.utf8)], r.digest != f.sha256 else { continue }
            changed.append(FileChange(path: f.path, expectedSHA256: r.digest.hex, actualSHA256: f.sha256.hex))
        }

        let manifest = try coveredManifest(folder: folder, signed: signed, now: now)
        if let manifest {
            var byPath: [[UInt8]: FolderEntry] = [:]
            for e in entries { byPath[Array(e.relativePath.utf8)] = e }
            for i in changed.indices {
                guard let signedFile = manifest.file(changed[i].path), let signedTensors = signedFile.tensors,
                      let entry = byPath[Array(changed[i].path.utf8)] else { continue }
                do {
                    let fresh = try hasher.hash(entries: [entry], withTensors: true)
                    guard let tensors = fresh.first?.tensors else {
                        changed[i].tensorNote = "tensors not compared: no reader for this file"
                        continue
                    }
                    changed[i].tensors = compareTensors(signed: signedTensors, current: tensors)
                } catch {
                    changed[i].tensorNote = "tensors unreadable: \((error as? LocalizedError)?.errorDescription ?? "\(error)")"
                }
            }
        }

        return VerificationReport(
            ok: added.isEmpty && removed.isEmpty && changed.isEmpty, folder: folder, signature: signaturePath,
            modelName: statement.statement.modelName, curve: key.curve, keyHintChecked: statement.hintChecked,
            filesSigned: statement.statement.resources.count, filesChecked: current.count,
            added: added, removed: removed, changed: changed, manifestCovered: manifest != nil)
    }

    /// Reads the bundle, checks the key hint and the DSSE signature, and returns the
    /// parsed statement (whose subject digest `InTotoStatement.parse` has checked).
    public static func checkSignature(at path: String, key: ECPublicKey) throws -> (statement: InTotoStatement, hintChecked: Bool) {
        let bytes = try ModelFolder.readSmallFile(path, limit: SigstoreBundle.maxSize) { .malformedBundle(path: path, reason: $0) }
        let bundle = try SigstoreBundle.parse(bytes, path: path)
        var hintChecked = false
        if let hint = bundle.keyHint {
            let keyHash = try key.hint()
            guard hint == keyHash else { throw IntegrityError.keyMismatch(path: path, hint: hint, keyHash: keyHash) }
            hintChecked = true
        }
        // model_signing computes the PAE with the in-toto type whatever the envelope says,
        // then rejects any other payload type.
        let pae = DSSE.pae(payloadType: InTotoStatement.payloadType, payload: bundle.payload)
        guard try key.verify(signature: bundle.signature, message: pae) else { throw IntegrityError.signatureInvalid(path: path) }
        guard bundle.payloadType == InTotoStatement.payloadType else {
            throw IntegrityError.malformedBundle(path: path, reason: "payload type '\(bundle.payloadType)' (expected '\(InTotoStatement.payloadType)')")
        }
        return (try InTotoStatement.parse(bundle.payload, path: path), hintChecked)
    }

    /// The folder's `temper.manifest.json` when the signature covers it and it is unchanged.
    static func coveredManifest(folder: String, signed: [[UInt8]: SignedResource], now: [[UInt8]: FileDigest]) throws -> Manifest? {
        let key = Array(Manifest.fileName.utf8)
        guard let r = signed[key], let f = now[key], r.digest == f.sha256 else { return nil }
        let path = folder + "/" + Manifest.fileName
        let bytes = try ModelFolder.readSmallFile(path, limit: 1 << 30) { .malformedManifest(path: path, reason: $0) }
        // Re-check the bytes actually read: the file could change after it was hashed.
        guard SHA256Digest.of(bytes) == r.digest else { return nil }
        return try Manifest.parse(bytes, path: path)
    }

    static func compareTensors(signed: [TensorDigest], current: [TensorDigest]) -> [TensorChange] {
        var now: [[UInt8]: TensorDigest] = [:]
        for t in current { now[Array(t.name.utf8)] = t }
        var seen = Set<[UInt8]>()
        var out: [TensorChange] = []
        for t in signed {
            let key = Array(t.name.utf8)
            seen.insert(key)
            guard let c = now[key] else {
                out.append(TensorChange(name: t.name, change: .removed, expectedSHA256: t.sha256.hex, actualSHA256: nil))
                continue
            }
            if c.sha256 != t.sha256 || c.dtype != t.dtype || c.shape != t.shape || c.begin != t.begin || c.end != t.end {
                out.append(TensorChange(name: t.name, change: .changed, expectedSHA256: t.sha256.hex, actualSHA256: c.sha256.hex))
            }
        }
        for t in current where !seen.contains(Array(t.name.utf8)) {
            out.append(TensorChange(name: t.name, change: .added, expectedSHA256: nil, actualSHA256: t.sha256.hex))
        }
        return out
    }
}
