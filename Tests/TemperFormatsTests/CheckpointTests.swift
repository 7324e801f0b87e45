import Foundation
import Testing
@testable import TemperFormats

@Suite struct CheckpointTests {
    @Test func opensASingleFile() throws {
        let url = Fixture.safetensors.appendingPathComponent("all_dtypes.safetensors")
        let checkpoint = try Checkpoint.open(url)
        #expect(checkpoint.format == .safetensors)
        #expect(checkpoint.files.count == 1 && checkpoint.config == nil && checkpoint.sharded == nil)
        #expect(checkpoint.metadata.map(\.key) == ["format"])
        #expect(checkpoint.tensors.allSatisfy { $0.file == "all_dtypes.safetensors" })
        let record = try #require(checkpoint.record(named: "u8"))
        #expect(Array(try checkpoint.bytes(of: record)) == [0, 1, 2, 3, 250, 254, 255])
    }

    @Test func opensAHuggingFaceSingleFileFolderWithConfig() throws {
        let folder = Fixture.safetensors.appendingPathComponent("hf_single")
        let checkpoint = try Checkpoint.open(folder)
        #expect(checkpoint.format == .safetensors && checkpoint.root == folder)
        #expect(checkpoint.tensors.count == 3)
        let config = try #require(checkpoint.config)
        #expect(config.modelType == "llama")
        #expect(config.entries.map(\.key) == ["model_type", "hidden_size"])  // "nested" is not a scalar
        #expect(config["hidden_size"] == .number("8"))
    }

    @Test func opensAShardedFolderAndItsIndex() throws {
        let folder = Fixture.safetensors.appendingPathComponent("sharded_transformers")
        for url in [folder, folder.appendingPathComponent(ShardedCheckpoint.indexFileName)] {
            let checkpoint = try Checkpoint.open(url)
            #expect(checkpoint.format == .shardedSafetensors)
            #expect(checkpoint.files.count == 3 && checkpoint.tensors.count == 11)
            #expect(checkpoint.totalBytes == 2784)
            #expect(checkpoint.indexMetadata.map(\.key) == ["total_parameters", "total_size"])
            #expect(checkpoint.metadata.map(\.key) == ["format"])
            let config = try #require(checkpoint.config)
            #expect(config.architectures == ["LlamaForCausalLM"])
            #expect(config.entries.map(\.key) == ["model_type", "hidden_size", "num_hidden_layers", "rms_norm_eps",
                                                  "tie_word_embeddings", "torch_dtype", "rope_scaling", "vocab_size"])
            let loaded = try checkpoint.loadAll()
            #expect(loaded.records == checkpoint.tensors)
            for (i, record) in loaded.records.enumerated() {
                #expect(Array(loaded.bytes(at: i)) == Array(try checkpoint.bytes(of: record)))
                #expect(checkpoint.file(named: record.file) != nil)
            }
        }
    }

    @Test func folderChoicesAndErrors() throws {
        let dir = try makeTemporaryFolder("checkpoint")
        defer { removeFolder(dir) }
        #expect(throws: FormatError.self) { try Checkpoint.open(dir) }  // nothing there
        #expect(throws: FormatError.notFound(path: dir.appendingPathComponent("x").path)) { try Checkpoint.open(dir.appendingPathComponent("x")) }
        let single = Fixture.safetensors.appendingPathComponent("numpy_shapes.safetensors")
        try FileManager.default.copyItem(at: single, to: dir.appendingPathComponent("weights.safetensors"))
        #expect(try Checkpoint.open(dir).files.first?.url.lastPathComponent == "weights.safetensors")  // the only one
        try FileManager.default.copyItem(at: single, to: dir.appendingPathComponent("other.safetensors"))
        #expect(throws: FormatError.self) { try Checkpoint.open(dir) }  // two files, no index
        try FileManager.default.copyItem(at: single, to: dir.appendingPathComponent("model.safetensors"))
        #expect(try Checkpoint.open(dir).files.first?.url.lastPathComponent == "model.safetensors")
        try Data("{\"a\": 1, \"a\": 2}".utf8).write(to: dir.appendingPathComponent("config.json"))
        #expect(throws: FormatError.duplicateKey(path: dir.appendingPathComponent("config.json").path, key: "a")) { try Checkpoint.open(dir) }
        try Data("[1]".utf8).write(to: dir.appendingPathComponent("config.json"))
        #expect(throws: FormatError.self) { try Checkpoint.open(dir) }
    }

    @Test func duplicateTensorAcrossFilesIsRejected() throws {
        let file = try SafetensorsFile.open(Fixture.safetensors.appendingPathComponent("numpy_shapes.safetensors"))
        let again = try SafetensorsFile.open(Fixture.safetensors.appendingPathComponent("numpy_shapes.safetensors"))
        #expect(throws: FormatError.self) {
            try Checkpoint(url: file.url, root: file.url.deletingLastPathComponent(), format: .safetensors, files: [file, again], metadata: [])
        }
    }
}
