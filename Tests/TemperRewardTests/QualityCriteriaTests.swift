import Foundation
import Testing
@testable import TemperReward

/// Each criterion on hand-made pairs whose values are worked out by hand from the
/// reference formulas (`quality_metrics/`).
@Suite struct QualityCriteriaTests {
    // Original: (0,0) → (1,0) → (2,0) by two rights, mean reward 2. Counterfactual: (0,0) → (0,1) by down, mean 0.
    let org = TestWorlds.trajectory([(0, 0), (1, 0), (2, 0)], actions: [3, 3], rewards: [1, 2, 3], masks: [0, 0, 1])
    let cf = TestWorlds.trajectory([(0, 0), (0, 1)], actions: [1], rewards: [0, 0])

    @Test func validityRealisticnessSparsity() throws {
        #expect(try QualityCriteria.validity(org, cf) == 2)
        #expect(try QualityCriteria.realisticness(org, cf) == -2)
        #expect(try QualityCriteria.sparsity(org, cf) == -5)
    }

    @Test func proximityIsTheModifiedHausdorffDistance() throws {
        // pairs (s_{i+1}, a_i): org ((1,0),R,0 saved), ((2,0),R,1 saved); cf ((0,1),D,0 saved)
        // d = 0.5 + 0 + 1.5·2 = 3.5 and 0.5 + 1 + 1.5·3 = 6; A→B mean(3.5, 6) = 4.75, B→A 3.5
        #expect(try QualityCriteria.proximity(org, cf) == 4.75)
        #expect(try QualityCriteria.proximity(org, org) == 0)
    }

    @Test func diversityAgainstEarlierExplanations() throws {
        var memory = ExplanationMemory()
        #expect(try QualityCriteria.diversity(org, cf, start: 4, memory: memory) == 0)
        // Earlier: cf lengths 2 and 5, starts 0 and 10; differences org − cf: +1 (down) and −1 (up).
        memory.add(original: TestWorlds.trajectory([(0, 0), (0, 1)], actions: [1], rewards: [1, 1]),
                   counterfactual: TestWorlds.trajectory([(0, 0), (1, 0)], actions: [3], rewards: [0, 0]), start: 0)
        memory.add(original: TestWorlds.trajectory([(0, 0), (0, 1)], actions: [1], rewards: [0, 0]),
                   counterfactual: TestWorlds.trajectory([(0, 0), (1, 0), (2, 0), (3, 0), (4, 0)], actions: [3, 3, 3, 3], rewards: [1, 1, 1, 1, 1]), start: 10)
        // k = max(round(0.5), min(2, 3)) = 2: length |2−2|,|2−5| → 1.5; start |4−0|,|4−10| → 5;
        // this cf is "down" (2 − 0 ≥ 0): up-count 1 of 2 → 0.5. Sum 7.
        #expect(try QualityCriteria.diversity(org, cf, start: 4, memory: memory) == 7)
        #expect(QualityCriteria.closestMean(5, [1, 2, 3, 4, 9, 10]) == 2)  // k = max(round(1.5) = 2, 3) = 3: distances 1, 2, 3
    }

    @Test func stateImportanceIsNegativeEntropy() throws {
        // No true reward at all: every action is worth the same, the policy is uniform.
        let flat = TestWorlds.small(weights: [0, 0, 0, 0, 0, 0])
        let context = try TestWorlds.context(flat)
        #expect(abs(try QualityCriteria.stateImportance(org, context: context) + Foundation.log(5.0)) < 1e-12)
        let peaked = try TestWorlds.context(TestWorlds.small(weights: [20, -5, -1, 3, 0, 0]))
        #expect(try QualityCriteria.stateImportance(org, context: peaked) > -Foundation.log(5.0) + 0.1)
    }

    @Test func weightedQualitySubtractsProximity() throws {
        var raw = CriteriaValues()
        raw.validity = 2; raw.proximity = 4; raw.diversity = 1; raw.stateImportance = -1; raw.realisticness = 0.5; raw.sparsity = -5
        var n = Normalisation()
        n.minimum.proximity = 0; n.maximum.proximity = 8  // → 0.5
        n.minimum.sparsity = -10; n.maximum.sparsity = 0  // → 0.5
        n.minimum.stateImportance = -2; n.maximum.stateImportance = 0  // → 0.5
        var w = try CriterionWeights.parse("validity=0.5,proximity=2,diversity=0")
        // 0.5·2 − 2·0.5 + 0·1 + 1·0.5 + 1·0.5 + 1·0.5 = 1.5
        #expect(abs(QualityCriteria.quality(raw, normalisation: n, weights: w) - 1.5) < 1e-12)
        w = CriterionWeights()
        #expect(abs(QualityCriteria.quality(raw, normalisation: n, weights: w, using: [.proximity]) + 0.5) < 1e-12)
        #expect(throws: RewardError.self) { try CriterionWeights.parse("validty=1") }
        #expect(throws: RewardError.self) { try CriterionWeights.parse("validity=-1") }
    }

    @Test func emptyTrajectoriesAreErrors() {
        let empty = Trajectory(states: [], actions: [], savedOnArrival: [], rewards: [])
        #expect(throws: RewardError.self) { try QualityCriteria.validity(empty, cf) }
        #expect(throws: RewardError.self) { try QualityCriteria.proximity(org, TestWorlds.trajectory([(0, 0)], actions: [], rewards: [0])) }
        #expect(throws: RewardError.self) { try QualityCriteria.sparsity(org, empty) }
    }
}
