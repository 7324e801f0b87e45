import Foundation
import Testing
import TemperFormats
import TemperText
@testable import TemperModels

@Suite struct SupervisedFineTuningTests {
    @Test func trainsResumesAndWritesAHuggingFaceFolder() throws {
        let tmp = try ModelFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let data = tmp.appendingPathComponent("train.jsonl")
        let lines = FineTunerTests.rows.map { #"{"prompt": "\#($0.prompt)", "response": "\#($0.response)"}"# }
        try Data(lines.joined(separator: "\n").utf8).write(to: data)
        let state = tmp.appendingPathComponent("state")
        var job = SupervisedFineTuning(modelFolder: ModelFixtures.folder("tiny-llama"), dataset: data,
                                       output: tmp.appendingPathComponent("out"),
                                       training: TrainingConfig(steps: 4, learningRate: 5e-3, warmupSteps: 1, seed: 2, saveEvery: 2),
                                       batchSize: 4, stateFolder: state, resume: true)
        #expect(throws: ModelError.self) { try job.run() }  // nothing to resume yet
        job.resume = false
        var steps: [Int] = []
        let summary = try job.run { steps.append($0.step) }
        #expect(summary.steps == 4 && steps == [1, 2, 3, 4])
        let out = tmp.appendingPathComponent("out")
        let names = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        #expect(names == ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"])
        let trained = try LlamaModel.load(out)
        let base = try LlamaModel.load(ModelFixtures.folder("tiny-llama"))
        #expect(trained.parameters.map(\.name) == base.parameters.map(\.name))
        #expect(zip(trained.parameters, base.parameters).allSatisfy { $0.tensor.toArray() != $1.tensor.toArray() })
        // Resuming the finished state runs no more steps and writes the same weights.
        job.resume = true
        job.output = tmp.appendingPathComponent("again")
        #expect(try job.run().steps == 0)
        #expect(try Data(contentsOf: tmp.appendingPathComponent("again/model.safetensors")) == Data(contentsOf: out.appendingPathComponent("model.safetensors")))
    }
}
