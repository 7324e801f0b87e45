import Foundation
import Testing
@testable import TemperModels

@Suite struct RoPEConfigTests {
    /// transformers' `rotary_emb.inv_freq` for the fixture configs (default θ 10000 and 1e6,
    /// and llama3 scaling with all three frequency bands).
    @Test(arguments: ["tiny-llama", "llama-tied-llama3", "qwen2"])
    func inverseFrequenciesMatchTransformers(name: String) throws {
        let config = try LlamaConfig.load(folder: ModelFixtures.folder(name))
        let expected = try ModelFixtures.reference(name).tensor("inv_freq").values
        let actual = config.rope.inverseFrequencies(headDim: config.headDim)
        #expect(actual.count == expected.count)
        for (a, e) in zip(actual, expected) {
            #expect(abs(a - e) <= e.ulp * 2, "\(name): \(a) vs \(e)")
        }
    }

    @Test func llama3BandsAreScaledAsTransformersDescribes() {
        let rope = RoPEConfig(theta: 5000, scaling: .llama3(factor: 4, lowFreqFactor: 1, highFreqFactor: 8, originalMaxPositions: 64))
        let plain = RoPEConfig(theta: 5000).inverseFrequencies(headDim: 16)
        let scaled = rope.inverseFrequencies(headDim: 16)
        // wavelength 2π/inv: < 8 kept, > 64 divided by 4, in between interpolated.
        for (p, s) in zip(plain, scaled) {
            let wavelength = 2 * Float.pi / p
            if wavelength < 8 { #expect(s == p) }
            else if wavelength > 64 { #expect(abs(s - p / 4) <= s.ulp) }
            else { #expect(s < p && s > p / 4) }
        }
        #expect(Set(plain.map { 2 * Float.pi / $0 < 8 ? 0 : (2 * Float.pi / $0 > 64 ? 2 : 1) }) == [0, 1, 2])
        let linear = RoPEConfig(theta: 10_000, scaling: .linear(factor: 2)).inverseFrequencies(headDim: 8)
        #expect(zip(linear, RoPEConfig().inverseFrequencies(headDim: 8)).allSatisfy { $0 == $1 / 2 })
    }
}
