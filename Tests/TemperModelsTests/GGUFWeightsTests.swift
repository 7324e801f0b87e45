import Foundation
import Testing
import TemperFormats
import TemperTensor
@testable import TemperModels

/// A GGUF is loaded in place (no f32 safetensors copy written), with the same values as the
/// folder `GGUFHuggingFaceExport` makes of it, and with the strict loader's errors.
@Suite struct GGUFWeightsTests {
    static let gguf = ModelFixtures.root.appendingPathComponent("formats/gguf/hf/tiny-llama-q.gguf")

    @Test func weightsEqualThoseOfTheExportedFolderAndNoWeightFileIsWritten() throws {
        let dir = try ModelFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try GGUFHuggingFaceExport.write(try GGUFFile(url: Self.gguf), to: dir)
        let exported = try LlamaModel.load(dir)
        let direct = try LlamaModel.load(Self.gguf)
        #expect(direct.parameters.map(\.name) == exported.parameters.map(\.name))
        for (a, b) in zip(direct.parameters, exported.parameters) {
            #expect(a.tensor.shape == b.tensor.shape && a.sourceDType == b.sourceDType, "\(a.name)")
            #expect(a.tensor.toArray().map(\.bitPattern) == b.tensor.toArray().map(\.bitPattern), "\(a.name)")
        }
        let folder = direct.source.folder
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(names == ["config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json"])
        #expect(direct.source.tensors.map(\.name) == exported.source.tensors.map(\.name))
        #expect(direct.source.tensors.allSatisfy { $0.dtype == .f32 } && direct.source.fileName == "model.safetensors")
    }

    /// Transforms reload a model from `source.folder` (the frozen base of LAT/NPO): for a GGUF
    /// that folder has no weights of its own and leads back to the GGUF.
    @Test func theCompanionFolderLoadsTheSameModel() throws {
        let direct = try LlamaModel.load(Self.gguf)
        let again = try ModelRegistry.loadCausalLM(direct.source.folder)
        #expect(again.parameters.map { $0.tensor.toArray() } == direct.parameters.map { $0.tensor.toArray() })
    }

    @Test func strictLoadingErrorsNameTheGGUF() throws {
        let (folder, source) = try ModelLocation.weights(Self.gguf)
        let config = try LlamaConfig.load(folder: folder)
        let loader = WeightLoader(source: source, quantized: [:])
        let name = "model.layers.0.self_attn.q_proj.weight"
        #expect(loader.contains(name))
        #expect(throws: ModelError.shapeMismatch(path: Self.gguf.path, tensor: name, expected: [1, config.hiddenSize],
                                                 actual: [config.headCount * config.headDim, config.hiddenSize])) {
            try loader.root.tensor(name, shape: [1, config.hiddenSize])
        }
        #expect(throws: ModelError.missingTensor(path: Self.gguf.path, tensor: "model.nothing.weight", expectedShape: [2])) {
            try loader.root.tensor("model.nothing.weight", shape: [2])
        }
        _ = try loader.root.tensor("model.norm.weight", shape: [config.hiddenSize])
        #expect {
            _ = try loader.finish()
        } throws: { error in
            guard case let .unexpectedTensors(path, tensors)? = error as? ModelError else { return false }
            return path == Self.gguf.path && tensors.contains(name) && !tensors.contains("model.norm.weight")
        }
    }
}
