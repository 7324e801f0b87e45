import Foundation
import Testing
import TemperFormats
import TemperTensor
@testable import TemperModels

/// GPT-2 against transformers (Conv1D layout, learned positions, tied lm_head).
@Suite struct GPT2Tests {
    @Test func forwardMatchesTransformers() throws { try CausalParity.forward("gpt2") }
    @Test func gradientsMatchTorch() throws { try CausalParity.gradients("gpt2") }
    @Test func perturbationsMatchTorch() throws { try CausalParity.perturbations("gpt2") }
    @Test func greedyGenerationMatchesTransformers() throws { try CausalParity.generation("gpt2") }
}

@Suite struct GPT2ConfigAndNamingTests {
    @Test func configDefaultsAndErrors() throws {
        let body = #""vocab_size": 10, "n_positions": 8, "n_embd": 8, "n_layer": 1, "n_head": 2"#
        let c = try GPT2Config(data: Data("{\(body), \"n_inner\": null}".utf8), path: "c")
        #expect(c.innerSize == 32 && c.tieWordEmbeddings && c.scaleAttentionWeights && c.headDim == 4)
        #expect(throws: ModelError.self) { try GPT2Config(data: Data(#"{"vocab_size": 10, "n_positions": 8, "n_embd": 9, "n_layer": 1, "n_head": 2}"#.utf8), path: "c") }
        #expect(throws: ModelError.unsupportedConfig(path: "c", field: "add_cross_attention", value: "true")) {
            try GPT2Config(data: Data("{\(body), \"add_cross_attention\": true}".utf8), path: "c")
        }
        #expect(throws: ModelError.unsupportedConfig(path: "c", field: "activation_function", value: "swish2")) {
            try GPT2Config(data: Data("{\(body), \"activation_function\": \"swish2\"}".utf8), path: "c")
        }
    }

    /// The original OpenAI conversion: no `transformer.` prefix and causal-mask buffers.
    @Test func bareNamesWithMaskBuffersLoadTheSameModel() throws {
        let folder = try ModelFixtures.copy("gpt2")
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        let source = try Checkpoint.open(ModelFixtures.folder("gpt2"))
        var specs = source.tensors.map { TensorSpec(name: String($0.name.dropFirst("transformer.".count)), dtype: $0.dtype, shape: $0.shape) }
        specs.append(TensorSpec(name: "h.0.attn.bias", dtype: .f32, shape: [1, 1, 2, 2]))
        try SafetensorsWriter.write(to: folder.appendingPathComponent("model.safetensors"), tensors: specs) { spec in
            if spec.name == "h.0.attn.bias" { return [UInt8](repeating: 0, count: 16) }
            let record = try #require(source.record(named: "transformer." + spec.name))
            return [UInt8](try source.bytes(of: record))
        }
        let bare = try GPT2Model.load(folder)
        let original = try GPT2Model.load(ModelFixtures.folder("gpt2"))
        let tokens = try TokenBatch([1, 2, 3, 4])
        #expect(try noGrad { try bare.logits(tokens) }.toArray() == (try noGrad { try original.logits(tokens) }.toArray()))
        #expect(bare.parameters.named("h.0.attn.c_attn.weight")?.layer == 0)
        // Saved back under the names it was loaded with (the buffer is not a parameter).
        let out = folder.deletingLastPathComponent().appendingPathComponent("out")
        try bare.save(to: out)
        #expect(Set(try Checkpoint.open(out).tensors.map(\.name)) == Set(specs.map(\.name)).subtracting(["h.0.attn.bias"]))
    }
}
