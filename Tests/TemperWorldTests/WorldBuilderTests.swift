import Foundation
import Testing
import TemperModels
@testable import TemperWorld

/// The generator itself, on a tiny model and a few steps (the committed world is made by
/// the full recipe; see Fixtures/README.md).
@Suite struct WorldBuilderTests {
    func build(seed: UInt64) throws -> (URL, WorldManifest) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("world-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let recipe = WorldRecipe(seed: seed, stage1Steps: 6, stage2Steps: 3, batchSize: 8)
        let manifest = try WorldBuilder(seed: seed, shape: .tiny, recipe: recipe).build(into: dir)
        return (dir, manifest)
    }

    @Test func writesAHuggingFaceFolderDatasetsAndManifest() throws {
        let (dir, manifest) = try build(seed: 3)
        defer { try? FileManager.default.removeItem(at: dir) }
        for name in WorldDatasets.splitNames {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("data/\(name).jsonl").path))
        }
        let model = try LlamaModel.load(dir.appendingPathComponent("model"))
        #expect(model.parameterCount == manifest.parameters)
        #expect(model.vocabSize == manifest.vocabularySize)
        let read = try WorldFiles.readManifest(world: dir)
        #expect(read == manifest)
        #expect(read.evaluation.harmfulRate.count == 3)
    }

    @Test func sameSeedGivesIdenticalBytes() throws {
        let (a, _) = try build(seed: 5)
        let (b, _) = try build(seed: 5)
        defer { try? FileManager.default.removeItem(at: a); try? FileManager.default.removeItem(at: b) }
        for file in ["model/model.safetensors", "model/tokenizer.json", "data/harmful_a_train.jsonl", "data/harmless_test.jsonl"] {
            #expect(try Data(contentsOf: a.appendingPathComponent(file)) == Data(contentsOf: b.appendingPathComponent(file)), "\(file) differs")
        }
    }

    @Test func trainingLowersTheLoss() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("world-train-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let language = WorldLanguage(seed: 1)
        try WorldModelFiles.writeInitial(folder: dir, shape: .tiny, language: language, seed: 1)
        let model = try LlamaModel.load(dir)
        let encoder = try ExampleEncoderFactory.make(dir)
        let rows = WorldDatasets(language: language, seed: 1)["harmful_a_train"]
        let examples = try rows.map { try encoder.encode(prompt: $0.prompt, response: $0.response) }
        let losses = try FineTuner.supervised(model: model, examples: examples,
                                              settings: .cosine(steps: 40, batchSize: 8, learningRate: 3e-3, seed: 1), padId: 0).losses
        #expect(losses.count == 40)
        let first = losses.prefix(5).reduce(0, +), last = losses.suffix(5).reduce(0, +)
        #expect(last < first * 0.7)
    }
}

import TemperText
enum ExampleEncoderFactory {
    static func make(_ folder: URL) throws -> ExampleEncoder {
        try ExampleEncoder(tokenizer: try Tokenizer.load(folder), maxLength: 64)
    }
}
