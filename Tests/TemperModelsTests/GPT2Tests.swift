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
