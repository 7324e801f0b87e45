import Foundation
import Testing
import TemperFormats
import TemperTensor
@testable import TemperModels

@Suite struct ModelSaverTests {
    static let fixtures = ["tiny-llama", "llama-tied-llama3", "qwen2", "gpt2", "bert"]

    @Test(arguments: fixtures) func unchangedRoundTripIsByteIdentical(name: String) throws {
        let model = try ModelRegistry.load(ModelFixtures.folder(name))
        let out = try ModelFixtures.temporaryFolder().appendingPathComponent("saved")
        defer { try? FileManager.default.removeItem(at: out.deletingLastPathComponent()) }
        try ModelSaver.save(model.parameters, source: model.source, to: out)
        let source = ModelFixtures.folder(name)
        let copied = try FileManager.default.contentsOfDirectory(atPath: source.path).sorted()
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted() == copied)
        for file in copied {
            let a = try Data(contentsOf: source.appendingPathComponent(file))
            let b = try Data(contentsOf: out.appendingPathComponent(file))
            #expect(a == b, "\(name)/\(file) differs after a no-op round trip")
        }
    }

    @Test func editedWeightsKeepNamesAndDType() throws {
        let model = try LlamaModel.load(ModelFixtures.folder("llama-tied-llama3"))
        let q = try #require(model.parameters.named("model.layers.0.self_attn.q_proj.weight")).tensor
        q.withUnsafeMutableBufferPointer { $0[0] = 0.3 }  // 0.30078125 in bf16
        let out = try ModelFixtures.temporaryFolder().appendingPathComponent("edited")
        defer { try? FileManager.default.removeItem(at: out.deletingLastPathComponent()) }
        try model.save(to: out)
        let checkpoint = try Checkpoint.open(out)
        #expect(checkpoint.tensors.allSatisfy { $0.dtype == .bf16 })
        #expect(checkpoint.record(named: "lm_head.weight") == nil)
        let reloaded = try LlamaModel.load(out)
        let value = try #require(reloaded.parameters.named("model.layers.0.self_attn.q_proj.weight")).tensor.toArray()[0]
        #expect(value == 0.30078125)
    }

    @Test func shardedSourceIsSavedSharded() throws {
        let tmp = try ModelFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: tmp) }
        // Reshard tiny-llama into ~100 KB shards.
        let source = try Checkpoint.open(ModelFixtures.folder("tiny-llama"))
        let sharded = tmp.appendingPathComponent("sharded")
        try FileManager.default.createDirectory(at: sharded, withIntermediateDirectories: true)
        let writer = try ShardedCheckpointWriter(folder: sharded, tensors: source.tensors.map(TensorSpec.init), maxShardBytes: 100_000)
        for spec in writer.expectedOrder {
            let record = try #require(source.record(named: spec.name))
            try writer.append(spec.name, [UInt8](try source.bytes(of: record)))
        }
        try writer.finish()
        for name in ["config.json", "tokenizer.json"] {
            try FileManager.default.copyItem(at: ModelFixtures.folder("tiny-llama").appendingPathComponent(name),
                                             to: sharded.appendingPathComponent(name))
        }
        let model = try LlamaModel.load(sharded)
        let out = tmp.appendingPathComponent("out")
        try model.save(to: out)
        let saved = try Checkpoint.open(out)
        #expect(saved.format == .shardedSafetensors)
        #expect(saved.files.count > 1)
        let names = Set(saved.tensors.map(\.name))
        #expect(names == Set(source.tensors.map(\.name)))
        let again = try LlamaModel.load(out)
        for (a, b) in zip(model.parameters, again.parameters) { #expect(a.name == b.name && a.tensor.toArray() == b.tensor.toArray()) }
    }

    @Test func failedSaveLeavesTheOldFolder() throws {
        let model = try LlamaModel.load(ModelFixtures.folder("tiny-llama"))
        let tmp = try ModelFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let out = tmp.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try Data("old".utf8).write(to: out.appendingPathComponent("marker.txt"))
        // One parameter short: the save must fail before touching the destination.
        let incomplete = Array(model.parameters.dropLast())
        #expect(throws: ModelError.self) { try ModelSaver.save(incomplete, source: model.source, to: out) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path) == ["marker.txt"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path) == ["out"])
        // A successful save replaces the folder as a whole.
        try model.save(to: out)
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("marker.txt").path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path) == ["out"])
    }

    @Test func extraFilesAreWrittenAndCheckedForPlainNames() throws {
        let model = try GPT2Model.load(ModelFixtures.folder("gpt2"))
        let tmp = try ModelFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: tmp) }
        try model.save(to: tmp.appendingPathComponent("a"), extraFiles: [("provenance.json", Data("{}".utf8))])
        #expect(FileManager.default.fileExists(atPath: tmp.appendingPathComponent("a/provenance.json").path))
        #expect(throws: ModelError.self) {
            try model.save(to: tmp.appendingPathComponent("b"), extraFiles: [("../escape.json", Data())])
        }
        #expect(!FileManager.default.fileExists(atPath: tmp.appendingPathComponent("escape.json").path))
    }
}
