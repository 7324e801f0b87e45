import Foundation
import Testing
import TemperFormats
import TemperTensor
@testable import TemperModels

/// Llama family against transformers: tiny-llama (GQA, untied, f32), llama-tied-llama3 (bf16,
/// tied, llama3 rope scaling, explicit head_dim) and qwen2 (q/k/v biases).
@Suite struct LlamaTests {
    static let fixtures = ["tiny-llama", "llama-tied-llama3", "qwen2"]

    @Test(arguments: fixtures) func forwardMatchesTransformers(name: String) throws {
        try CausalParity.forward(name)
    }

    @Test(arguments: fixtures) func gradientsMatchTorch(name: String) throws {
        try CausalParity.gradients(name)
    }

    @Test(arguments: fixtures) func perturbationsMatchTorch(name: String) throws {
        try CausalParity.perturbations(name)
    }

    @Test(arguments: fixtures) func greedyGenerationMatchesTransformers(name: String) throws {
        try CausalParity.generation(name)
    }
}
