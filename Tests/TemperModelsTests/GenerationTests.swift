import Foundation
import Testing
import TemperTensor
@testable import TemperModels

@Suite struct GenerationTests {
    let model: LlamaModel
    init() throws { model = try LlamaModel.load(ModelFixtures.folder("tiny-llama")) }

    @Test func seededSamplingIsReproducible() throws {
        let config = GenerationConfig(maxNewTokens: 12, temperature: 1.5, topK: 20, topP: 0.95, stopTokens: [], seed: 42)
        let a = try model.generate(prompt: [1, 4, 10], config: config)
        let b = try model.generate(prompt: [1, 4, 10], config: config)
        #expect(a == b && a.tokens.count == 12)
        var other = config
        other.seed = 43
        let c = try model.generate(prompt: [1, 4, 10], config: other)
        #expect(c.tokens != a.tokens)
        let greedy = try model.generate(prompt: [1, 4, 10], config: GenerationConfig(maxNewTokens: 12, stopTokens: []))
        #expect(a.tokens != greedy.tokens)
    }

    @Test func degenerateFiltersAreGreedy() throws {
        let greedy = try model.generate(prompt: [1, 4, 10], config: GenerationConfig(maxNewTokens: 6, stopTokens: []))
        let topK = try model.generate(prompt: [1, 4, 10], config: GenerationConfig(maxNewTokens: 6, temperature: 1, topK: 1, stopTokens: [], seed: 5))
        let topP = try model.generate(prompt: [1, 4, 10], config: GenerationConfig(maxNewTokens: 6, temperature: 1, topP: 1e-6, stopTokens: [], seed: 5))
        #expect(topK.tokens == greedy.tokens && topP.tokens == greedy.tokens)
    }

    @Test func stopTokensAndCallbackEndGeneration() throws {
        let greedy = try model.generate(prompt: [1, 4, 10], config: GenerationConfig(maxNewTokens: 8, stopTokens: []))
        let stop = greedy.tokens[2]
        let stopped = try model.generate(prompt: [1, 4, 10], config: GenerationConfig(maxNewTokens: 8, stopTokens: [stop]))
        #expect(stopped.stopReason == .stopToken)
        #expect(stopped.tokens == Array(greedy.tokens.prefix(through: greedy.tokens.firstIndex(of: stop) ?? 0)))
        var seen: [Int] = []
        let early = try model.generate(prompt: [1, 4, 10], config: GenerationConfig(maxNewTokens: 8, stopTokens: [])) { token in
            seen.append(token)
            return seen.count < 3
        }
        #expect(early.tokens == Array(greedy.tokens.prefix(3)) && seen == early.tokens)
        #expect(try model.generate(prompt: [1], config: GenerationConfig(maxNewTokens: 0)).tokens.isEmpty)
    }

    @Test func learnedPositionsLimitTheContext() throws {
        let gpt2 = try GPT2Model.load(ModelFixtures.folder("gpt2"))
        let result = try gpt2.generate(prompt: Array(repeating: 3, count: 30), config: GenerationConfig(maxNewTokens: 10, stopTokens: []))
        // Positions 30 and 31 are fed back; the token predicted at position 31 is the last.
        #expect(result.stopReason == .contextFull && result.tokens.count == 3)
    }

    @Test func invalidSettingsAreRejected() throws {
        for config in [GenerationConfig(maxNewTokens: -1), GenerationConfig(temperature: -1), GenerationConfig(temperature: 1, topK: 0),
                       GenerationConfig(temperature: 1, topP: 0), GenerationConfig(temperature: 1, topP: 1.5)] {
            #expect(throws: ModelError.self) { try model.generate(prompt: [1], config: config) }
        }
        #expect(throws: ModelError.self) { try model.generate(prompt: []) }
        #expect(throws: ModelError.self) { try model.generate(prompt: [1, 999]) }
    }

    @Test func topPKeepsTheSmallestSetReachingP() {
        // Probabilities ∝ e^logit: 0.5, 0.3, 0.15, 0.05 → p = 0.7 keeps the first two.
        var logits = [0.5, 0.3, 0.15, 0.05].map { Float(Foundation.log($0)) }
        TokenSampler.keepTopP(&logits, 0.7)
        #expect(logits.map(\.isFinite) == [true, true, false, false])
        var single = [Float(2), 1, 0]
        TokenSampler.keepTopP(&single, 0.01)
        #expect(single.map(\.isFinite) == [true, false, false])
    }

    @Test func repetitionPenaltyDividesPositiveAndMultipliesNegativeLogits() {
        // transformers' RepetitionPenaltyLogitsProcessor(penalty=2) on ids {0, 1, 9}.
        var logits: [Float] = [4, -3, 5, 0.5]
        TokenSampler.penalize(&logits, seen: [0, 1, 9], by: 2)
        #expect(logits == [2, -6, 5, 0.5])
        #expect(throws: ModelError.self) { try GenerationConfig(repetitionPenalty: 0).validate() }
    }
}
