import Foundation
import Testing
import TemperFormats
import TemperTensor
@testable import TemperModels

/// Strict loading: every tensor used once, by name, with the config's shape; typed errors
/// naming the tensor (and both shapes) otherwise.
@Suite struct WeightLoaderTests {
    /// A copy of tiny-llama whose weight file is rewritten by `edit` (specs + bytes).
    static func variant(_ edit: ([TensorSpec]) -> [TensorSpec],
                        bytes: (TensorSpec, Checkpoint) throws -> [UInt8] = { spec, source in
                            [UInt8](try source.bytes(of: try #require(source.record(named: spec.name))))
                        }) throws -> URL {
        let folder = try ModelFixtures.copy("tiny-llama")
        let source = try Checkpoint.open(ModelFixtures.folder("tiny-llama"))
        let specs = edit(source.tensors.map(TensorSpec.init))
        try SafetensorsWriter.write(to: folder.appendingPathComponent("model.safetensors"), tensors: specs,
                                    metadata: [("format", "pt")]) { try bytes($0, source) }
        return folder
    }

    static func cleanUp(_ folder: URL) { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }

    @Test func missingTensorIsNamedWithItsExpectedShape() throws {
        let folder = try Self.variant { $0.filter { $0.name != "model.layers.1.mlp.up_proj.weight" } }
        defer { Self.cleanUp(folder) }
        #expect(throws: ModelError.missingTensor(path: folder.path, tensor: "model.layers.1.mlp.up_proj.weight", expectedShape: [176, 64])) {
            try LlamaModel.load(folder)
        }
    }

    @Test func unexpectedTensorsAreListed() throws {
        let folder = try Self.variant({ $0 + [TensorSpec(name: "model.layers.0.extra.weight", dtype: .f32, shape: [2])] }) { spec, source in
            spec.name == "model.layers.0.extra.weight" ? [UInt8](repeating: 0, count: 8)
                : [UInt8](try source.bytes(of: try #require(source.record(named: spec.name))))
        }
        defer { Self.cleanUp(folder) }
        #expect(throws: ModelError.unexpectedTensors(path: folder.path, tensors: ["model.layers.0.extra.weight"])) {
            try ModelRegistry.load(folder)
        }
    }

    @Test func shapeMismatchNamesBothShapes() throws {
        let folder = try Self.variant { specs in
            specs.map { $0.name == "model.norm.weight" ? TensorSpec(name: $0.name, dtype: .f32, shape: [16, 4]) : $0 }
        }
        defer { Self.cleanUp(folder) }
        #expect(throws: ModelError.shapeMismatch(path: folder.path, tensor: "model.norm.weight", expected: [64], actual: [16, 4])) {
            try LlamaModel.load(folder)
        }
    }

    @Test func integerTensorsAreRejected() throws {
        let folder = try Self.variant { specs in
            specs.map { $0.name == "model.norm.weight" ? TensorSpec(name: $0.name, dtype: .i32, shape: [64]) : $0 }
        }
        defer { Self.cleanUp(folder) }
        #expect(throws: ModelError.unsupportedDType(path: folder.path, tensor: "model.norm.weight", dtype: "I32")) {
            try LlamaModel.load(folder)
        }
    }

    @Test func halfPrecisionWeightsLoadAndSaveBackAsHalf() throws {
        let folder = try Self.variant({ specs in specs.map { TensorSpec(name: $0.name, dtype: .f16, shape: $0.shape) } }) { spec, source in
            let record = try #require(source.record(named: spec.name))
            return try HalfPrecision.convert(try source.bytes(of: record), from: .f32, to: .f16, tensor: spec.name)
        }
        defer { Self.cleanUp(folder) }
        let half = try LlamaModel.load(folder)
        let full = try LlamaModel.load(ModelFixtures.folder("tiny-llama"))
        #expect(half.parameters.allSatisfy { $0.sourceDType == .f16 })
        let tokens = try TokenBatch([1, 4, 10, 20])
        let d = difference(try noGrad { try half.logits(tokens) }.toArray(), try noGrad { try full.logits(tokens) }.toArray())
        #expect(d.maxAbs < 1e-3 && d.maxAbs > 0)
        let out = folder.deletingLastPathComponent().appendingPathComponent("saved")
        try half.save(to: out)
        #expect(try Data(contentsOf: out.appendingPathComponent("model.safetensors")) == Data(contentsOf: folder.appendingPathComponent("model.safetensors")))
    }

    @Test func parametersCarryNamesLayersAndModules() throws {
        let model = try LlamaModel.load(ModelFixtures.folder("tiny-llama"))
        let checkpoint = try Checkpoint.open(ModelFixtures.folder("tiny-llama"))
        #expect(Set(model.parameters.map(\.name)) == Set(checkpoint.tensors.map(\.name)))
        #expect(model.parameters.first?.name == "model.embed_tokens.weight")
        let q = try #require(model.parameters.named("model.layers.1.self_attn.q_proj.weight"))
        #expect(q.layer == 1 && q.module == .attention && q.tensor.requiresGrad)
        #expect(model.parameters.named("model.layers.0.post_attention_layernorm.weight")?.module == .norm)
        #expect(model.parameters.named("model.layers.0.mlp.gate_proj.weight")?.module == .mlp)
        #expect(model.parameters.named("model.norm.weight").map { $0.layer == nil && $0.module == .norm } == true)
        #expect(model.parameters.named("lm_head.weight")?.module == .head)
        // Tied: no lm_head parameter; the head is the embedding matrix itself.
        let tied = try LlamaModel.load(ModelFixtures.folder("llama-tied-llama3"))
        #expect(tied.parameters.named("lm_head.weight") == nil)
        #expect(tied.head === tied.embed.weight)
    }

    @Test func checkpointWithoutConfigOrWeightsIsAnError() throws {
        let tmp = try ModelFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: tmp) }
        #expect(throws: (any Error).self) { try ModelRegistry.load(tmp) }
        try FileManager.default.copyItem(at: ModelFixtures.folder("tiny-llama").appendingPathComponent("model.safetensors"),
                                         to: tmp.appendingPathComponent("model.safetensors"))
        #expect(throws: ModelError.self) { try ModelRegistry.load(tmp) }
    }
}
