import Foundation
import Testing
@testable import TemperFormats

@Suite struct ShardedCheckpointTests {
    @Test(arguments: ["sharded_transformers", "sharded_hfhub"])
    func readsReferenceShardedFolders(_ folderName: String) throws {
        let folder = Fixture.safetensors.appendingPathComponent(folderName)
        let sharded = try ShardedCheckpoint.open(folder)
        #expect(sharded.shardNames == ["model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors", "model-00003-of-00003.safetensors"])
        #expect(sharded.totalSize == 2784)
        #expect(sharded.totalSize == sharded.tensors.reduce(0) { $0 + $1.byteCount })
        #expect(sharded.weightMap.count == 11 && sharded.tensors.count == 11)
        #expect(Set(sharded.tensors.map(\.name)) == Set(sharded.weightMap.map(\.tensor)))
        for record in sharded.tensors {
            #expect(sharded.weightMap.first { $0.tensor == record.name }?.shard == record.file)
            let shard = try #require(sharded.shard(named: record.file))
            #expect(try sharded.bytes(of: record).baseAddress == (try shard.bytes(of: record)).baseAddress)
        }
        // The embedding (1024 bytes > 1000-byte limit) sits alone in the first shard.
        #expect(sharded.shards[0].tensors.map(\.name) == ["model.embed_tokens.weight"])
        // Opening the index file directly gives the same result.
        let direct = try ShardedCheckpoint.open(folder.appendingPathComponent(ShardedCheckpoint.indexFileName))
        #expect(direct.tensors == sharded.tensors)
    }

    @Test func indexMetadataKeepsItsOrder() throws {
        let sharded = try ShardedCheckpoint.open(Fixture.safetensors.appendingPathComponent("sharded_transformers"))
        #expect(sharded.indexMetadata.map(\.key) == ["total_parameters", "total_size"])
        #expect(sharded.weightMap.first?.tensor == "lm_head.weight")  // transformers sorts keys
    }

    /// Copies a fixture folder so a test can add links or remove files.
    func copyOfShardedFixture(into dir: URL) throws -> URL {
        let copy = dir.appendingPathComponent("model")
        try FileManager.default.copyItem(at: Fixture.safetensors.appendingPathComponent("sharded_hfhub"), to: copy)
        return copy
    }

    @Test func symlinkShardEscapingTheFolderIsRejected() throws {
        let dir = try makeTemporaryFolder("sharded")
        defer { removeFolder(dir) }
        let model = try copyOfShardedFixture(into: dir)
        let name = "model-00002-of-00003.safetensors"
        let outside = dir.appendingPathComponent("outside.safetensors")
        try FileManager.default.moveItem(at: model.appendingPathComponent(name), to: outside)
        try FileManager.default.createSymbolicLink(atPath: model.appendingPathComponent(name).path, withDestinationPath: "../outside.safetensors")
        #expect(throws: FormatError.unsafeShardPath(path: model.appendingPathComponent(ShardedCheckpoint.indexFileName).path, shard: name)) {
            try ShardedCheckpoint.open(model)
        }
    }

    @Test func symlinkShardInsideTheFolderIsAccepted() throws {
        let dir = try makeTemporaryFolder("sharded")
        defer { removeFolder(dir) }
        let model = try copyOfShardedFixture(into: dir)
        let name = "model-00002-of-00003.safetensors"
        let blobs = model.appendingPathComponent("blobs")
        try FileManager.default.createDirectory(at: blobs, withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: model.appendingPathComponent(name), to: blobs.appendingPathComponent("abc123"))
        try FileManager.default.createSymbolicLink(atPath: model.appendingPathComponent(name).path, withDestinationPath: "blobs/abc123")
        #expect(try ShardedCheckpoint.open(model).tensors.count == 11)
    }

    @Test func danglingSymlinkIsATypedError() throws {
        let dir = try makeTemporaryFolder("sharded")
        defer { removeFolder(dir) }
        let model = try copyOfShardedFixture(into: dir)
        let name = "model-00003-of-00003.safetensors"
        try FileManager.default.removeItem(at: model.appendingPathComponent(name))
        try FileManager.default.createSymbolicLink(atPath: model.appendingPathComponent(name).path, withDestinationPath: "gone.safetensors")
        #expect(throws: FormatError.danglingSymlink(path: model.appendingPathComponent(name).path, target: "gone.safetensors")) {
            try ShardedCheckpoint.open(model)
        }
        try FileManager.default.removeItem(at: model.appendingPathComponent(name))
        try FileManager.default.createSymbolicLink(atPath: model.appendingPathComponent(name).path, withDestinationPath: name)
        #expect(throws: FormatError.symlinkCycle(path: model.appendingPathComponent(name).path)) { try ShardedCheckpoint.open(model) }
    }

    @Test func missingFolderOrIndex() throws {
        let dir = try makeTemporaryFolder("sharded")
        defer { removeFolder(dir) }
        #expect(throws: FormatError.notFound(path: dir.appendingPathComponent("nope").path)) {
            try ShardedCheckpoint.open(dir.appendingPathComponent("nope"))
        }
        #expect(throws: FormatError.notFound(path: dir.appendingPathComponent(ShardedCheckpoint.indexFileName).path)) {
            try ShardedCheckpoint.open(dir)
        }
    }
}
