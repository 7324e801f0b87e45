import Foundation
import Testing
import TemperFormats
import TemperTensor
@testable import TemperModels

@Suite struct TrainingStateTests {
    @Test func roundTripAndCorruptStates() throws {
        let tmp = try ModelFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let model = try GPT2Model.load(ModelFixtures.folder("gpt2"))
        let config = TrainingConfig(steps: 3)
        let state = tmp.appendingPathComponent("state")
        let optimizer = OptimizerState(kind: "adamw", steps: [1], arrays: [])
        try TrainingState.save(to: state, step: 1, config: config, parameters: model.parameters, trainable: ["x"], optimizer: optimizer)
        #expect(TrainingState.exists(at: state))
        let copy = try GPT2Model.load(ModelFixtures.folder("gpt2"))
        copy.parameters[0].tensor.withUnsafeMutableBufferPointer { $0[0] = 42 }
        let (header, loaded) = try TrainingState.load(from: state, into: copy.parameters)
        #expect(header.step == 1 && header.config == config && header.trainable == ["x"] && loaded == optimizer)
        #expect(copy.parameters[0].tensor.toArray() == model.parameters[0].tensor.toArray())
        // A model with other parameters cannot take the weights; nothing is changed then.
        let llama = try LlamaModel.load(ModelFixtures.folder("tiny-llama"))
        let before = llama.parameters[0].tensor.toArray()
        #expect(throws: ModelError.self) { try TrainingState.load(from: state, into: llama.parameters) }
        #expect(llama.parameters[0].tensor.toArray() == before)
        try Data("{".utf8).write(to: state.appendingPathComponent("trainer.json"))
        #expect(throws: ModelError.self) { try TrainingState.load(from: state, into: copy.parameters) }
        #expect(!TrainingState.exists(at: tmp))
    }
}
