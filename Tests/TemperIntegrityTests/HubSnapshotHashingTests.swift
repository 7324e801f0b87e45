import Foundation
import Testing
import TemperFormats
@testable import TemperIntegrity

/// Hashing and signing a Hugging Face cache snapshot: blob contents under the snapshot's
/// file names (as model_signing with allow_symlinks), links confined to the cache repository.
@Suite struct HubSnapshotHashingTests {
    /// models--o--m/{blobs, refs/main, snapshots/REV/...} built from the signed fixture model,
    /// each snapshot file a relative link into ../../blobs/ (nested files: ../../../blobs/).
    static func snapshot(of folder: URL, in cache: URL) throws -> (repo: URL, snapshot: URL) {
        let repo = cache.appendingPathComponent("models--o--m")
        let snapshot = repo.appendingPathComponent("snapshots/" + String(repeating: "a", count: 40))
        let fm = FileManager.default
        try fm.createDirectory(at: repo.appendingPathComponent("blobs"), withIntermediateDirectories: true)
        let files = try FolderWalker(ignore: IgnoreRules()).list(folder.path)
        for (i, file) in files.enumerated() {
            let blob = repo.appendingPathComponent("blobs/blob\(i)")
            try fm.copyItem(atPath: file.path, toPath: blob.path)
            let link = snapshot.appendingPathComponent(file.relativePath)
            try fm.createDirectory(at: link.deletingLastPathComponent(), withIntermediateDirectories: true)
            let up = Array(repeating: "..", count: file.relativePath.split(separator: "/").count + 1).joined(separator: "/")
            try fm.createSymbolicLink(atPath: link.path, withDestinationPath: "\(up)/blobs/blob\(i)")
        }
        return (repo, snapshot)
    }

    @Test func snapshotHashesLikeTheFolderItWasMadeFrom() throws {
        let dir = try Fx.scratch("hub")
        defer { Fx.remove(dir) }
        let (_, snapshot) = try Self.snapshot(of: Fx.model, in: dir)
        let plain = try ManifestBuilder().build(path: Fx.model.path)
        let cached = try ManifestBuilder().build(path: snapshot.path)
        #expect(cached.files.map(\.path) == plain.files.map(\.path))
        #expect(cached.digest == plain.digest)
    }

    @Test func signedSnapshotRecordsFollowedLinksAndVerifies() throws {
        let dir = try Fx.scratch("hub")
        defer { Fx.remove(dir) }
        let (_, snapshot) = try Self.snapshot(of: Fx.model, in: dir)
        let key = try ECPrivateKey.generate(curve: .p256)
        var options = SigningOptions(signaturePath: dir.appendingPathComponent("snap.sig").path)
        options.writeManifest = false
        let result = try ModelSigner.sign(folder: snapshot.path, key: key, options: options)
        let bundle = try Data(contentsOf: URL(fileURLWithPath: result.signature))
        let payload = try SigstoreBundle.parse(Array(bundle), path: result.signature).payload
        #expect(String(decoding: payload, as: UTF8.self).contains(#""allow_symlinks": true"#))
        var verify = VerifyOptions(signaturePath: result.signature)
        verify.ignoreGitPaths = true
        #expect(try ModelVerifier.verify(folder: snapshot.path, key: try key.publicKey(), options: verify).ok)
    }

    @Test func linksLeavingTheRepositoryAreRefused() throws {
        let dir = try Fx.scratch("hub")
        defer { Fx.remove(dir) }
        let (repo, snapshot) = try Self.snapshot(of: Fx.model, in: dir)
        let outside = dir.appendingPathComponent("secret")
        try Fx.write("x", to: outside)
        let link = snapshot.appendingPathComponent("leak").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "../../../secret")
        #expect(throws: IntegrityError.symlinkOutsideFolder(path: link, target: outside.path)) { try FolderWalker().list(snapshot.path) }
        try FileManager.default.removeItem(atPath: link)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: repo.appendingPathComponent("blobs/missing").path)
        #expect(throws: IntegrityError.danglingSymlink(path: link, target: repo.appendingPathComponent("blobs/missing").path)) {
            try FolderWalker().list(snapshot.path)
        }
        // Outside a cache, links still need --allow-symlinks.
        let plain = dir.appendingPathComponent("plain")
        try Fx.write("y", to: plain.appendingPathComponent("a"))
        try FileManager.default.createSymbolicLink(atPath: plain.appendingPathComponent("b").path, withDestinationPath: "a")
        #expect(throws: IntegrityError.symlinkNotAllowed(path: plain.appendingPathComponent("b").path)) { try FolderWalker().list(plain.path) }
    }
}
