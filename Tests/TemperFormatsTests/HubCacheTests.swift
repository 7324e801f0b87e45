import Foundation
import Testing
@testable import TemperFormats

/// A hub cache repository laid out as huggingface_hub lays it out: each file's bytes in
/// `blobs/<sha256>`, `refs/main` holding the commit, and `snapshots/<commit>/<name>` a
/// relative symlink into `../../blobs/` (`os.path.relpath(blob, dirname(pointer))`).
struct FakeHubRepository {
    static let commit = "0123456789abcdef0123456789abcdef01234567"
    let cache: URL
    let root: URL
    var snapshot: URL { root.appendingPathComponent("snapshots/\(Self.commit)") }

    init(cache: URL, id: String, files: [(name: String, source: URL)]) throws {
        self.cache = cache
        root = cache.appendingPathComponent("models--" + id.replacingOccurrences(of: "/", with: "--"))
        let fm = FileManager.default
        try fm.createDirectory(at: root.appendingPathComponent("blobs"), withIntermediateDirectories: true)
        try fm.createDirectory(at: root.appendingPathComponent("refs"), withIntermediateDirectories: true)
        try Data(Self.commit.utf8).write(to: root.appendingPathComponent("refs/main"))
        for file in files {
            let data = try Data(contentsOf: file.source)
            let blob = data.withUnsafeBytes { sha256Hex($0) }
            try data.write(to: root.appendingPathComponent("blobs/\(blob)"))
            let pointer = snapshot.appendingPathComponent(file.name)
            try fm.createDirectory(at: pointer.deletingLastPathComponent(), withIntermediateDirectories: true)
            let depth = file.name.split(separator: "/").count + 1
            let up = Array(repeating: "..", count: depth).joined(separator: "/")
            try fm.createSymbolicLink(atPath: pointer.path, withDestinationPath: "\(up)/blobs/\(blob)")
        }
    }

    /// The tiny Llama folder as a snapshot.
    static func tinyLlama(in cache: URL, id: String = "temper/tiny-llama") throws -> FakeHubRepository {
        let folder = Fixture.repoRoot.appendingPathComponent("Fixtures/tiny-llama")
        let names = ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"]
        return try FakeHubRepository(cache: cache, id: id, files: names.map { ($0, folder.appendingPathComponent($0)) })
    }

    func link(_ name: String, to destination: String) throws {
        try FileManager.default.createSymbolicLink(atPath: snapshot.appendingPathComponent(name).path, withDestinationPath: destination)
    }

    func remove(_ name: String) throws { try FileManager.default.removeItem(at: snapshot.appendingPathComponent(name)) }
}

@Suite struct HubCacheTests {
    @Test func parsesModelIDs() {
        #expect(HubCache.parseModelID("HuggingFaceTB/SmolLM2-135M")! == ("HuggingFaceTB/SmolLM2-135M", "main"))
        #expect(HubCache.parseModelID("org/name@v1.0")! == ("org/name", "v1.0"))
        #expect(HubCache.parseModelID("org/name@refs/pr/1")! == ("org/name", "refs/pr/1"))
        for bad in ["name", "a/b/c", "../x", "org/..", "org/name@", "org/name@../../x", "/abs/path", "org/na me", "./x"] {
            #expect(HubCache.parseModelID(bad) == nil, "\(bad)")
        }
    }

    @Test func cacheFoldersFollowHuggingFaceHubOrder() {
        let env = ["HF_HUB_CACHE": "/a", "HF_HOME": "/h", "XDG_CACHE_HOME": "/x", "HOME": "/home/u"]
        #expect(HubCache.cacheFolders(environment: env) == ["/a", "/h/hub", "/x/huggingface/hub", "/home/u/.cache/huggingface/hub"])
        #expect(HubCache.cacheFolders(environment: ["HF_HOME": "~/hf", "HOME": "/home/u"]) == ["/home/u/hf/hub", "/home/u/.cache/huggingface/hub"])
    }

    @Test func resolvesRefsCommitsAndNamesTheFoldersWhenMissing() throws {
        let cache = try makeTemporaryFolder("hub")
        defer { removeFolder(cache) }
        let repo = try FakeHubRepository.tinyLlama(in: cache)
        let env = ["HF_HUB_CACHE": cache.path, "HOME": "/nonexistent-home"]
        #expect(try HubCache.resolve(modelID: "temper/tiny-llama", environment: env).path == repo.snapshot.path)
        #expect(try HubCache.resolve(modelID: "temper/tiny-llama@\(FakeHubRepository.commit)", environment: env).path == repo.snapshot.path)
        try Data(FakeHubRepository.commit.utf8).write(to: repo.root.appendingPathComponent("refs/v1"))
        #expect(try HubCache.resolve(modelID: "temper/tiny-llama@v1", environment: env).path == repo.snapshot.path)
        let searched = [cache.path, "/nonexistent-home/.cache/huggingface/hub"]
        #expect {
            try HubCache.resolve(modelID: "temper/other", environment: env)
        } throws: { error in
            guard case let .modelNotInHubCache(id, folders, _) = error as? FormatError else { return false }
            return id == "temper/other" && folders == searched
        }
        #expect(throws: FormatError.self) { try HubCache.resolve(modelID: "temper/tiny-llama@nope", environment: env) }
    }

    @Test func snapshotCheckpointsOpenThroughBlobLinks() throws {
        let cache = try makeTemporaryFolder("hub")
        defer { removeFolder(cache) }
        let repo = try FakeHubRepository.tinyLlama(in: cache)
        let fromSnapshot = try Checkpoint.open(repo.snapshot)
        let direct = try Checkpoint.open(Fixture.repoRoot.appendingPathComponent("Fixtures/tiny-llama"))
        #expect(fromSnapshot.tensors.map(\.name) == direct.tensors.map(\.name))
        #expect(fromSnapshot.config?.modelType == "llama")
        let input = try ConversionInput(url: repo.snapshot)
        #expect(try input.companionFiles().map(\.lastPathComponent) == ["config.json", "tokenizer.json", "tokenizer_config.json"])
    }

    @Test func shardedSnapshotsFollowLinksIntoBlobs() throws {
        let cache = try makeTemporaryFolder("hub")
        defer { removeFolder(cache) }
        let source = try makeTemporaryFolder("hub-src")
        defer { removeFolder(source) }
        let tensors = [TensorSpec(name: "a", dtype: .f32, shape: [2]), TensorSpec(name: "b", dtype: .f32, shape: [2])]
        let writer = try ShardedCheckpointWriter(folder: source, tensors: tensors, maxShardBytes: 8)
        for spec in writer.expectedOrder { try writer.append(spec.name, [UInt8](repeating: 1, count: 8)) }
        try writer.finish()
        let names = try FileManager.default.contentsOfDirectory(atPath: source.path).sorted()
        let repo = try FakeHubRepository(cache: cache, id: "o/sharded", files: names.map { ($0, source.appendingPathComponent($0)) })
        let opened = try ShardedCheckpoint.open(repo.snapshot)
        #expect(opened.tensors.map(\.name) == ["a", "b"])
    }

    @Test func hostileLinksAreTypedErrors() throws {
        let cache = try makeTemporaryFolder("hub")
        defer { removeFolder(cache) }
        let repo = try FakeHubRepository.tinyLlama(in: cache)
        let other = try FakeHubRepository.tinyLlama(in: cache, id: "evil/other")
        let file = repo.snapshot.appendingPathComponent("model.safetensors").path
        let otherBlob = try FileManager.default.contentsOfDirectory(atPath: other.root.appendingPathComponent("blobs").path)
            .map { other.root.appendingPathComponent("blobs/\($0)").path }
            .first { (try? SafetensorsFile(url: URL(fileURLWithPath: $0))) != nil }!

        // Out of the repository (into another repository's blobs), relative and absolute.
        try repo.remove("model.safetensors")
        try repo.link("model.safetensors", to: "../../../models--evil--other/blobs/" + URL(fileURLWithPath: otherBlob).lastPathComponent)
        #expect(throws: FormatError.symlinkOutsideFolder(path: file, target: HubCache.realPath(otherBlob)!)) { try Checkpoint.open(repo.snapshot) }
        try repo.remove("model.safetensors")
        try repo.link("model.safetensors", to: otherBlob)
        #expect(throws: FormatError.symlinkOutsideFolder(path: file, target: HubCache.realPath(otherBlob)!)) { try Checkpoint.open(repo.snapshot) }
        // A cycle and a dangling link.
        try repo.remove("model.safetensors")
        try repo.link("model.safetensors", to: "loop")
        try repo.link("loop", to: "model.safetensors")
        #expect(throws: FormatError.symlinkCycle(path: file)) { try Checkpoint.open(repo.snapshot) }
        try repo.remove("model.safetensors")
        try repo.remove("loop")
        try repo.link("model.safetensors", to: "../../blobs/missing")
        #expect(throws: FormatError.danglingSymlink(path: file, target: "../../blobs/missing")) { try Checkpoint.open(repo.snapshot) }
    }

    @Test func linksOutsideACacheStayConfinedToTheFolder() throws {
        let dir = try makeTemporaryFolder("hub")
        defer { removeFolder(dir) }
        let folder = dir.appendingPathComponent("plain")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let weights = Fixture.repoRoot.appendingPathComponent("Fixtures/tiny-llama/model.safetensors").path
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("model.safetensors").path, withDestinationPath: weights)
        #expect(throws: FormatError.symlinkOutsideFolder(path: folder.appendingPathComponent("model.safetensors").path,
                                                         target: HubCache.realPath(weights)!)) { try Checkpoint.open(folder) }
        #expect(HubCache.repositoryRoot(ofResolved: "/c/models--a--b/snapshots/r/x") == "/c/models--a--b")
        #expect(HubCache.repositoryRoot(ofResolved: "/c/models--a--b/blobs/x") == nil)
        #expect(HubCache.repositoryRoot(ofResolved: "/c/datasets--a--b/snapshots/r") == nil)
    }
}
