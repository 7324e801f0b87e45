import Foundation
import Testing
import TemperModels
import TemperTensor
@testable import TemperHarden

/// Loss fidelity: Temper's RepNoise loss on the fixture world's model against the torch
/// reference formulas (float64), fed the same Gaussian samples.
@Suite struct RepNoiseLossTests {
    static let tolerance = 1e-4

    /// The reference's noise samples, one [batch, length, hidden] tensor per block.
    static func noise() throws -> [Tensor] {
        let all = try HardenFixtures.tensor("noise")
        return try (0..<all.shape[0]).map { try all.slice(axis: 0, $0..<($0 + 1)).reshape(Array(all.shape.dropFirst())) }
    }

    @Test func everyPartMatchesTheReference() throws {
        let (model, _, batch, reference) = try HardenFixtures.modelAndBatch()
        let noise = try Self.noise()
        let loss = RepNoiseLoss(alpha: Float(reference.alpha), beta: Float(reference.beta))
        let parts = try loss(model: model, batch: batch) { layer, _ in noise[layer] }
        let r = reference.repnoise
        var worst = 0.0
        func check(_ value: Tensor?, _ expected: Double, _ what: String) throws {
            let v = Double(try #require(value).item())
            let error = HardenFixtures.relative(v, expected)
            worst = max(worst, error)
            #expect(error < Self.tolerance, "\(what): Temper \(v), reference \(expected), relative error \(error)")
        }
        try check(parts.refusalCE, r.refusal_ce, "refusal CE")
        try check(parts.harmfulCE, r.harmful_ce, "harmful CE")
        #expect(parts.lensCE.count == r.lens_ce.count && parts.noisePerLayer.count == r.noise_per_layer.count)
        for (i, (value, expected)) in zip(parts.lensCE, r.lens_ce).enumerated() { try check(value, expected, "lens CE \(i)") }
        for (i, (value, expected)) in zip(parts.noisePerLayer, r.noise_per_layer).enumerated() { try check(value, expected, "MMD block \(i)") }
        try check(parts.noise, r.noise, "noise term")
        try check(parts.ascentArgument, r.ascent_argument, "ascent argument")
        try check(parts.total, r.total, "total")
        print("RepNoise loss fidelity: worst relative error over the parts \(worst)")

        try parts.total.backward()
        for name in reference.repnoise_gradients {
            let error = HardenFixtures.relative(try HardenFixtures.gradient(model, name), try HardenFixtures.tensor("repnoise_grad." + name))
            print("RepNoise gradient \(name): relative error \(error)")
            #expect(error < Self.tolerance, "gradient of \(name): relative error \(error)")
        }
    }

    @Test func ablationSwitchesMatchTheReference() throws {
        let (model, _, batch, reference) = try HardenFixtures.modelAndBatch()
        let noise = try Self.noise()
        let cases: [(String, RepNoiseSwitches)] = [
            ("no_ascent", RepNoiseSwitches(noAscent: true)), ("no_noise", RepNoiseSwitches(noNoise: true)),
            ("no_lens", RepNoiseSwitches(noLens: true)), ("no_mask", RepNoiseSwitches(noMask: true)),
        ]
        for (name, switches) in cases {
            let expected = try #require(reference.variants[name])
            let parts = try noGrad {
                try RepNoiseLoss(alpha: Float(reference.alpha), beta: Float(reference.beta), switches: switches)(model: model, batch: batch) { layer, _ in noise[layer] }
            }
            let value = Double(try parts.total.item())
            let error = HardenFixtures.relative(value, expected)
            #expect(error < Self.tolerance, "\(name): Temper \(value), reference \(expected)")
        }
    }

    @Test func switchesDropTheirParts() throws {
        let (model, _, batch, _) = try HardenFixtures.modelAndBatch()
        let both = try noGrad {
            try RepNoiseLoss(switches: RepNoiseSwitches(noAscent: true, noNoise: true))(model: model, batch: batch) { _, _ in
                throw HardenError.invalidConfig("no noise should be drawn")
            }
        }
        #expect(both.noise == nil && both.harmfulCE == nil && both.lensCE.isEmpty)
        #expect(try both.total.item() == both.refusalCE.item())
        let noLens = try noGrad {
            try RepNoiseLoss(switches: RepNoiseSwitches(noNoise: true, noLens: true))(model: model, batch: batch) { _, _ in
                throw HardenError.invalidConfig("no noise should be drawn")
            }
        }
        #expect(noLens.lensCE.isEmpty)
        let argument = try #require(noLens.ascentArgument).item(), harmful = try #require(noLens.harmfulCE).item()
        #expect(abs(argument - harmful - 1) < 1e-5)
    }

    @Test func wrongNoiseShapeIsATypedError() throws {
        let (model, _, batch, _) = try HardenFixtures.modelAndBatch()
        #expect(throws: HardenError.self) {
            _ = try RepNoiseLoss()(model: model, batch: batch) { _, _ in try Tensor.zeros([1, 2, 3]) }
        }
    }

    @Test func seededNoiseRepeats() throws {
        let a = try GaussianNoise(seed: 7).sample(layer: 0, shape: [2, 3]).toArray()
        let b = try GaussianNoise(seed: 7).sample(layer: 0, shape: [2, 3]).toArray()
        let c = try GaussianNoise(seed: 8).sample(layer: 0, shape: [2, 3]).toArray()
        #expect(a == b && a != c)
    }
}
