import Foundation
import Testing
import TemperTensor
@testable import TemperModels

@Suite struct ModelParameterTests {
    @Test func freezingAndPerLayerGradients() throws {
        let model = try LlamaModel.load(ModelFixtures.folder("tiny-llama"))
        let trainable = model.parameters.freezeLayers(through: 0)
        #expect(trainable.allSatisfy { $0.layer == 1 || ($0.layer == nil && $0.module != .embedding) })
        #expect(trainable.contains { $0.name == "lm_head.weight" } && !trainable.contains { $0.name == "model.embed_tokens.weight" })
        let tokens = try TokenBatch([1, 4, 10, 20, 7])
        let (loss, _) = try model.loss(tokens, labels: [-100, -100, 10, 20, 7])
        try loss.backward()
        let norms = model.parameters.gradientNorms()
        #expect(!norms.contains { $0.key.layer == 0 } && !norms.contains { $0.key.module == .embedding })
        #expect(norms.map(\.key) == [ParameterGroupKey(layer: nil, module: .norm), ParameterGroupKey(layer: nil, module: .head),
                                     ParameterGroupKey(layer: 1, module: .attention), ParameterGroupKey(layer: 1, module: .mlp),
                                     ParameterGroupKey(layer: 1, module: .norm)])
        #expect(norms.allSatisfy { $0.norm > 0 })
        // gradients(of:) gives the same values without touching .grad.
        let (again, _) = try model.loss(tokens, labels: [-100, -100, 10, 20, 7])
        let named = try model.parameters.gradients(of: again)
        #expect(named.count == trainable.count)
        for (name, g) in named {
            #expect(model.parameters.named(name)?.tensor.grad?.toArray() == g.toArray())
        }
        model.parameters.setTrainable { _ in true }
        #expect(model.parameters.allSatisfy { $0.tensor.requiresGrad })
        #expect(model.parameterCount == model.parameters.reduce(0) { $0 + $1.tensor.count })
    }
}
