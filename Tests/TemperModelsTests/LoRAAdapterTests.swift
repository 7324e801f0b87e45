import Foundation
import Testing
import TemperFormats
import TemperTensor
@testable import TemperModels

/// LoRA adapters in PEFT format against what peft computed (Fixtures/lora/make_lora_fixtures.py).
@Suite struct LoRAAdapterTests {
    static let peftAdapter = ModelFixtures.root.appendingPathComponent("lora/peft-adapter")
    static let expected = ModelFixtures.root.appendingPathComponent("lora/peft-adapter.expected.json")

    struct Expected: Decodable {
        let ids: [Int]
        let adapted_logits: [[Float]]
        let merged_logits: [[Float]]
    }

    static func expectation() throws -> Expected { try JSONDecoder().decode(Expected.self, from: Data(contentsOf: expected)) }

    static func maxDifference(_ logits: Tensor, _ rows: [[Float]]) -> Float {
        let flat = rows.flatMap { $0 }
        let values = logits.toArray()
        guard values.count == flat.count else { return .infinity }
        return zip(values, flat).map { abs($0 - $1) }.max() ?? 0
    }

    @Test func peftsAdapterGivesPeftsLogitsUnmergedAndMerged() throws {
        let e = try Self.expectation()
        let base = try LlamaModel.load(ModelFixtures.folder("tiny-llama"))
        let plain = try base.logits(try TokenBatch(e.ids))
        let adapter = try LoRAAdapter.load(folder: Self.peftAdapter, for: base)
        #expect(adapter.modules.count == 8 && adapter.parameters.count == 16)
        let model = LoRAModel(base: base, adapter: adapter)
        #expect(Self.maxDifference(try model.logits(try TokenBatch(e.ids)), e.adapted_logits) <= 1e-4)
        #expect(Self.maxDifference(plain, e.adapted_logits) > 1e-2)  // the adapter matters
        try adapter.merge()
        #expect(Self.maxDifference(try base.logits(try TokenBatch(e.ids)), e.merged_logits) <= 1e-4)
    }

    /// GPT-2's Conv1D layers ([in, out] weights; peft's fan_in_fan_out), default targets.
    @Test func gpt2ConvLayersMatchPeft() throws {
        let e = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: ModelFixtures.root.appendingPathComponent("lora/gpt2-adapter.expected.json")))
        let base = try GPT2Model.load(ModelFixtures.folder("gpt2"))
        let adapter = try LoRAAdapter.load(folder: ModelFixtures.root.appendingPathComponent("lora/gpt2-adapter"), for: base)
        #expect(adapter.config.fanInFanOut && adapter.modules.count == 8)
        #expect(adapter.parameters.first?.name == "base_model.model.transformer.h.0.attn.c_attn.lora_A.weight")
        let model = LoRAModel(base: base, adapter: adapter)
        #expect(Self.maxDifference(try model.logits(try TokenBatch(e.ids)), e.adapted_logits) <= 1e-4)
        try adapter.merge()
        #expect(Self.maxDifference(try base.logits(try TokenBatch(e.ids)), e.merged_logits) <= 1e-4)
        let fresh = try LoRAAdapter.create(for: try GPT2Model.load(ModelFixtures.folder("gpt2")),
                                           config: PEFTAdapterConfig(rank: 2, alpha: 2, targets: .names([])), seed: 0)
        #expect(fresh.config.targets == .names(["c_attn"]) && fresh.config.fanInFanOut)
        #expect(fresh.modules.map { $0.layer.a.shape + $0.layer.b.shape } == [[2, 32, 96, 2], [2, 32, 96, 2]])
    }

    /// A BERT encoder (peft on AutoModel, default targets query/value): last hidden states.
    @Test func bertEncoderMatchesPeft() throws {
        struct Hidden: Decodable { let ids: [Int]; let last_hidden_state: [[Float]] }
        let e = try JSONDecoder().decode(Hidden.self, from: Data(contentsOf: ModelFixtures.root.appendingPathComponent("lora/bert-adapter.expected.json")))
        let bert = try BERTModel.load(ModelFixtures.folder("bert"))
        let plain = try #require(try bert.forward(try TokenBatch(e.ids)).finalHidden)
        let adapter = try LoRAAdapter.load(folder: ModelFixtures.root.appendingPathComponent("lora/bert-adapter"), for: bert)
        #expect(adapter.modules.map(\.module.name).first == "encoder.layer.0.attention.self.query")
        adapter.attach()
        let adapted = try #require(try bert.forward(try TokenBatch(e.ids)).finalHidden)
        #expect(Self.maxDifference(adapted, e.last_hidden_state) <= 1e-4)
        #expect(Self.maxDifference(plain, e.last_hidden_state) > 1e-3)
    }

    @Test func freshAdapterStartsAtTheBaseAndFollowsPeftsInit() throws {
        let base = try LlamaModel.load(ModelFixtures.folder("tiny-llama"))
        let ids = try TokenBatch([1, 4, 9, 16])
        let before = try base.logits(ids).toArray()
        let config = PEFTAdapterConfig(rank: 2, alpha: 4, targets: .names(["q_proj", "v_proj"]))
        let adapter = try LoRAAdapter.create(for: base, config: config, seed: 1)
        #expect(adapter.modules.map(\.module.name) == ["model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.v_proj",
                                                       "model.layers.1.self_attn.q_proj", "model.layers.1.self_attn.v_proj"])
        #expect(adapter.parameters.first?.name == "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight")
        for (m, layer) in adapter.modules {
            let bound = 1 / Float(m.inputs).squareRoot()
            #expect(layer.a.shape == [2, m.inputs] && layer.b.shape == [m.outputs, 2])
            #expect(layer.a.toArray().allSatisfy { abs($0) <= bound } && layer.a.toArray().contains { abs($0) > bound / 2 })
            #expect(layer.b.toArray().allSatisfy { $0 == 0 })
        }
        let model = LoRAModel(base: base, adapter: adapter)
        #expect(try model.logits(ids).toArray() == before)
        adapter.detach()
        #expect(try base.logits(ids).toArray() == before)
    }

    @Test func trainingMovesOnlyTheAdapterAndSavesAsPeft() throws {
        let tmp = try ModelFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let base = try LlamaModel.load(ModelFixtures.folder("tiny-llama"))
        let baseValues = base.parameters.map { $0.tensor.toArray() }
        let adapter = try LoRAAdapter.create(for: base, config: PEFTAdapterConfig(rank: 2, alpha: 8, targets: .names(["all-linear"]), dropout: 0.2), seed: 3)
        #expect(adapter.modules.count == 14)
        let model = LoRAModel(base: base, adapter: adapter)
        let tuner = try FineTuner(model: model, config: TrainingConfig(steps: 3, learningRate: 1e-2, seed: 5), isTrainable: adapter.owns)
        #expect(tuner.trainable.map(\.name) == adapter.parameters.map(\.name))
        let ids = try TokenBatch([1, 5, 9, 14, 22, 30])
        try tuner.run { step in
            adapter.setDropoutSeed(step.seed)
            defer { adapter.setDropoutSeed(nil) }
            return StepLoss(loss: try model.loss(ids, labels: [1, 5, 9, 14, 22, 30]).loss, tokens: 6)
        }
        #expect(base.parameters.map { $0.tensor.toArray() } == baseValues)
        #expect(adapter.modules.contains { $0.layer.b.toArray().contains { $0 != 0 } })
        let out = tmp.appendingPathComponent("adapter")
        try adapter.save(to: out, baseModel: "tiny")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted() == ["adapter_config.json", "adapter_model.safetensors"])
        let file = try SafetensorsFile(url: out.appendingPathComponent("adapter_model.safetensors"))
        #expect(file.metadata.map(\.key) == ["format"] && file.tensors.count == 28)
        let reloaded = try LoRAAdapter.load(folder: out, for: try LlamaModel.load(ModelFixtures.folder("tiny-llama")))
        #expect(zip(reloaded.parameters, adapter.parameters).allSatisfy { $0.name == $1.name && $0.tensor.toArray() == $1.tensor.toArray() })
        #expect(reloaded.config.dropout == 0.2 && reloaded.config.baseModel == "tiny")
    }

    @Test func adaptersThatDoNotFitTheBaseAreTypedErrors() throws {
        let tmp = try ModelFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let tiny = try LlamaModel.load(ModelFixtures.folder("tiny-llama"))
        // The world model is wider: its adapter's shapes do not fit tiny-llama.
        let world = try LlamaModel.load(ModelFixtures.root.appendingPathComponent("world/model"))
        let wide = tmp.appendingPathComponent("wide")
        try LoRAAdapter.create(for: world, config: PEFTAdapterConfig(rank: 2, alpha: 2, targets: .names(["q_proj"])), seed: 0)
            .save(to: wide, baseModel: nil)
        let weights = wide.appendingPathComponent("adapter_model.safetensors").path
        #expect(throws: ModelError.adapterShapeMismatch(path: weights, tensor: "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight",
                                                        actual: [2, 128], expected: [2, 64],
                                                        baseWeight: "model.layers.0.self_attn.q_proj.weight", baseShape: [64, 64])) {
            try LoRAAdapter.load(folder: wide, for: tiny)
        }
        // Extra layers (world has 4, tiny 2): unknown keys. Built from a tiny adapter plus one key.
        let copy = tmp.appendingPathComponent("copy")
        try FileManager.default.copyItem(at: Self.peftAdapter, to: copy)
        let configPath = copy.appendingPathComponent("adapter_config.json")
        var text = try String(contentsOf: configPath, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"k_proj\"\n", with: "\"k_proj\",\n    \"gate_proj\"\n")
        try Data(text.utf8).write(to: configPath)
        #expect(throws: ModelError.missingTensor(path: copy.appendingPathComponent("adapter_model.safetensors").path,
                                                 tensor: "base_model.model.model.layers.0.mlp.gate_proj.lora_A.weight", expectedShape: [4, 64])) {
            try LoRAAdapter.load(folder: copy, for: tiny)
        }
        text = text.replacingOccurrences(of: "\"k_proj\",\n    \"gate_proj\"\n", with: "\"k_proj\"\n").replacingOccurrences(of: "\"o_proj\",\n", with: "")
        try Data(text.utf8).write(to: configPath)
        #expect {
            try LoRAAdapter.load(folder: copy, for: tiny)
        } throws: { error in
            guard case let .unexpectedTensors(_, tensors) = error as? ModelError else { return false }
            return tensors.count == 4 && tensors.allSatisfy { $0.contains(".o_proj.lora_") }
        }
        text = text.replacingOccurrences(of: "\"k_proj\"", with: "\"c_attn\"").replacingOccurrences(of: "\"q_proj\"", with: "\"c_proj\"")
            .replacingOccurrences(of: "\"v_proj\"", with: "\"c_fc\"")
        try Data(text.utf8).write(to: configPath)
        #expect(throws: ModelError.self) { try LoRAAdapter.load(folder: copy, for: tiny) }
        #expect {
            try LoRAAdapter.load(folder: copy, for: tiny)
        } throws: { error in
            guard case let .adapterTargetsNotFound(_, targets, available) = error as? ModelError else { return false }
            return targets == ["c_fc", "c_proj", "c_attn"] && available.contains("q_proj")
        }
    }
}
