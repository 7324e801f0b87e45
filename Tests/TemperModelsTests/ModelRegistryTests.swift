import Foundation
import Testing
@testable import TemperModels

@Suite struct ModelRegistryTests {
    @Test func loadsEachArchitectureByModelType() throws {
        let cases: [(String, String)] = [("tiny-llama", "llama"), ("qwen2", "qwen2"), ("gpt2", "gpt2"), ("bert", "bert")]
        for (name, type) in cases {
            let model = try ModelRegistry.load(ModelFixtures.folder(name))
            #expect(model.modelType == type)
            #expect(try ModelRegistry.modelType(folder: ModelFixtures.folder(name)) == type)
            #expect((model.causalLM == nil) == (type == "bert"))
            #expect(!model.parameters.isEmpty && model.source.folder.path == ModelFixtures.folder(name).path)
        }
        if case .gpt2 = try ModelRegistry.load(ModelFixtures.folder("gpt2")) {} else { Issue.record("gpt2 not loaded as .gpt2") }
        // A weight file path works as well as its folder.
        let file = ModelFixtures.folder("tiny-llama").appendingPathComponent("model.safetensors")
        #expect(try ModelRegistry.loadCausalLM(file).layerCount == 2)
    }

    @Test func unknownAndNonCausalTypesAreTypedErrors() throws {
        let folder = try ModelFixtures.copy("tiny-llama")
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        let config = folder.appendingPathComponent("config.json")
        try Data(#"{"model_type": "mamba", "vocab_size": 3}"#.utf8).write(to: config)
        #expect(throws: ModelError.unsupportedModelType(path: config.path, modelType: "mamba")) { try ModelRegistry.load(folder) }
        try Data(#"{"vocab_size": 3}"#.utf8).write(to: config)
        #expect(throws: ModelError.invalidConfigField(path: config.path, field: "model_type", reason: "missing")) { try ModelRegistry.load(folder) }
        #expect(throws: ModelError.self) { try ModelRegistry.loadCausalLM(ModelFixtures.folder("bert")) }
        let message = ModelError.unsupportedModelType(path: "c", modelType: "mamba").localizedDescription
        #expect(message.contains("mamba") && message.contains("llama"))
    }
}
