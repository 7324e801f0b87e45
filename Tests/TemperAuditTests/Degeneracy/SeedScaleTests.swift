import Foundation
import Testing
import TemperModels
import TemperTensor
@testable import TemperAudit

/// Deep models give bases whose VJP seeds leave float32's range (SmolLM2-135M: beyond
/// residual.17 of 30). The seeds are scaled by a power of two before the float32 backward pass
/// and the gradients scaled back in f64, so a basis 2^70 times larger (seed 2^140 larger, past
/// float32's 2^128) gives exactly M' × 2^280 and Λ' × 2^140.
@Suite struct SeedScaleTests {
    @Test func hugeBasesGiveExactlyScaledStatistics() throws {
        let settings = try JSONDecoder().decode(InteractionBasisReferenceTests.Settings.self, from: try Data(
            contentsOf: InteractionBasisReferenceTests.folder.appendingPathComponent("tiny-llama.reference.json")))
        let lm = try LlamaModel.load(InteractionBasisReferenceTests.model)
        let sequences = settings.rows.map { DegeneracySequence(ids: $0.ids, promptLength: $0.prompt_length, harmful: $0.harmful) }
        let runner = SectionRunner(model: lm)
        let batches = try DegeneracyData.batches(sequences, batchTokens: 40)
        let layers = try NodeLayer.select(nil, layerCount: lm.layerCount)
        let stats = try ActivationStatistics.collect(runner, batches: batches, layers: layers, gramLayers: [.logits])
        let c = try InteractionBasis.svd(gram: stats.layers[.logits]!.gram, threshold: 1e-5, layer: "logits").c
        let s = 0x1p70
        let points = DegeneracyConfig().integrationPoints
        let plain = try IntegratedGradients.collect(runner, batches: batches, from: lm.layerCount, to: .logits, cNext: c, points: points)
        let huge = try IntegratedGradients.collect(runner, batches: batches, from: lm.layerCount, to: .logits, cNext: c.scaled(s), points: points)
        #expect(huge.mDash.values.allSatisfy { $0.isFinite })
        #expect(zip(huge.mDash.values, plain.mDash.values).allSatisfy { abs($0 - $1 * pow(s, 4)) <= 1e-9 * abs($1 * pow(s, 4)) + 1e-300 })
        #expect(zip(huge.lambdaDash.values, plain.lambdaDash.values).allSatisfy { abs($0 - $1 * s * s) <= 1e-9 * abs($1 * s * s) + 1e-300 })
        let largest = try #require(plain.mDash.values.map(abs).max())
        #expect(largest > 0)
    }
}
