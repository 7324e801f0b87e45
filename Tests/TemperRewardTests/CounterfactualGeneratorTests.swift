import Foundation
import Testing
import TemperText
@testable import TemperReward

@Suite struct CounterfactualGeneratorTests {
    func setup() throws -> (CounterfactualGenerator, Trajectory) {
        let world = try GridworldGenerator.make(side: 6, people: 2, seed: 3, horizon: 10)
        let context = try TestWorlds.context(world)
        var rng = Xoshiro256StarStar(seed: 4)
        var settings = GenerationSettings()
        settings.mctoStartingPoints = 3
        settings.mctoIterations = 3
        settings.normalisation = try RewardExplainer.calibrate(context, settings: settings)
        return (CounterfactualGenerator(context: context, settings: settings), RewardExplainer.originals(context, count: 1, rng: &rng)[0])
    }

    @Test func everyMethodDeviatesFromTheSameState() throws {
        let (generator, org) = try setup()
        var rng = Xoshiro256StarStar(seed: 9)
        let memory = ExplanationMemory()
        let pairs = [try generator.random(org, rng: &rng), try generator.deviateAndContinue(org, memory: memory, rng: &rng),
                     try generator.stepCompletion(org, memory: memory, rng: &rng), try generator.mcto(org, memory: memory, rng: &rng)]
        for (i, p) in pairs.enumerated() {
            #expect(p.original.states.first == org.states[p.start] && p.counterfactual.states.first == org.states[p.start], "method \(i)")
            #expect(p.counterfactual.actions.count >= 1 && p.original.states == org.slice(from: p.start, through: p.start + p.original.count - 1).states)
            if i > 0 { #expect(p.counterfactual.states[1] != org.states[p.start + 1], "method \(i) must deviate at once") }
            #expect(try QualityCriteria.validity(p.original, p.counterfactual).isFinite)
        }
    }

    @Test func theExplainerRecordsEveryExplanation() throws {
        let world = try GridworldGenerator.make(side: 6, people: 2, seed: 3, horizon: 10)
        let context = try TestWorlds.context(world)
        let report = try RewardExplainer.explain(context, method: .sc, count: 4, seed: 1, settings: GenerationSettings(),
                                                 environment: "env.json", rewardManifestSHA256: "ab")
        #expect(report.count == 4 && report.explanations.map(\.index) == [0, 1, 2, 3])
        #expect(report.explanations[0].criteria.diversity == 0 && report.explanations[1].criteria.diversity > 0)
        let e = report.explanations[2]
        #expect(abs(e.quality - QualityCriteria.quality(e.criteria, normalisation: report.normalisation, weights: report.weights)) < 1e-12)
        let again = try RewardExplainer.explain(context, method: .sc, count: 4, seed: 1, settings: GenerationSettings(),
                                                environment: "env.json", rewardManifestSHA256: "ab")
        #expect(again.explanations.map(\.original) == report.explanations.map(\.original))
    }
}
