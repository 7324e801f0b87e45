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

    /// The reference's RepNoise branches (the fixture's `branches`) and the switches that select them.
    static let branches: [String: RepNoiseSwitches] = [
        "full": RepNoiseSwitches(), "no_ascent": RepNoiseSwitches(noAscent: true), "no_noise": RepNoiseSwitches(noNoise: true),
        "no_lens": RepNoiseSwitches(noLens: true), "no_mask": RepNoiseSwitches(noMask: true),
        "no_mask_and_lens": RepNoiseSwitches(noMask: true, noLens: true),
    ]

    @Test func theReferenceCoversEveryBranch() throws {
        let reference = try HardenFixtures.reference()
        #expect(Set(reference.variants.keys).union(["full"]) == Set(Self.branches.keys))
    }

    /// Every part, the total and the gradients of chosen weights, per reference branch.
    @Test(arguments: ["full", "no_ascent", "no_noise", "no_lens", "no_mask", "no_mask_and_lens"])
    func branchMatchesTheReference(_ branch: String) throws {
        let (model, _, batch, reference) = try HardenFixtures.modelAndBatch()
        let noise = try Self.noise()
        let switches = try #require(Self.branches[branch])
        let r = branch == "full" ? reference.repnoise : try #require(reference.variants[branch])
        let loss = RepNoiseLoss(alpha: Float(reference.alpha), beta: Float(reference.beta), switches: switches)
        let parts = try loss(model: model, batch: batch) { layer, _ in noise[layer] }
        var worst = 0.0
        func check(_ value: Tensor?, _ expected: Double?, _ what: String) throws {
            #expect((value == nil) == (expected == nil), "\(branch) \(what): present in Temper \(value != nil), in the reference \(expected != nil)")
            guard let value, let expected else { return }
            let v = Double(try value.item())
            let error = HardenFixtures.relative(v, expected)
            worst = max(worst, error)
            #expect(error < Self.tolerance, "\(branch) \(what): Temper \(v), reference \(expected), relative error \(error)")
        }
        try check(parts.refusalCE, r.refusal_ce, "refusal CE")
        try check(parts.harmfulCE, r.harmful_ce, "harmful CE")
        #expect(parts.lensCE.count == r.lens_ce.count && parts.noisePerLayer.count == r.noise_per_layer.count,
                "\(branch): \(parts.lensCE.count) lens terms, \(parts.noisePerLayer.count) MMDs")
        for (i, (value, expected)) in zip(parts.lensCE, r.lens_ce).enumerated() { try check(value, expected, "lens CE \(i)") }
        for (i, (value, expected)) in zip(parts.noisePerLayer, r.noise_per_layer).enumerated() { try check(value, expected, "MMD block \(i)") }
        try check(parts.noise, r.noise, "noise term")
        try check(parts.ascentArgument, r.ascent_argument, "ascent argument")
        try check(parts.total, r.total, "total")
        print("RepNoise \(branch): worst relative error over the parts \(worst)")

        try parts.total.backward()
        let weights = branch == "full" ? reference.repnoise_gradients : reference.ablation_gradients
        let prefix = branch == "full" ? "repnoise_grad." : branch + "_grad."
        for name in weights {
            let error = HardenFixtures.relative(try HardenFixtures.gradient(model, name), try HardenFixtures.tensor(prefix + name))
            print("RepNoise \(branch) gradient \(name): relative error \(error)")
            #expect(error < Self.tolerance, "\(branch) gradient of \(name): relative error \(error)")
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
        // `-without-lens`: the log takes the harmful CE itself, no +1.
        #expect(try #require(noLens.ascentArgument).item() == #require(noLens.harmfulCE).item())
        // `-without-mask`: the final CEs change, the lens terms keep the differing-token mask.
        let full = try noGrad { try RepNoiseLoss(switches: RepNoiseSwitches(noNoise: true))(model: model, batch: batch) { _, _ in
            throw HardenError.invalidConfig("no noise should be drawn")
        } }
        let noMask = try noGrad { try RepNoiseLoss(switches: RepNoiseSwitches(noNoise: true, noMask: true))(model: model, batch: batch) { _, _ in
            throw HardenError.invalidConfig("no noise should be drawn")
        } }
        #expect(try noMask.lensCE.map { try $0.item() } == full.lensCE.map { try $0.item() })
        #expect(try noMask.harmfulCE?.item() != full.harmfulCE?.item() && noMask.refusalCE.item() != full.refusalCE.item())
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
