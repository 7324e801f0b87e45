import Testing
@testable import TemperAudit

@Suite struct AttackCostTests {
    @Test func summarisesTheGridPerLearningRate() throws {
        let report = try AttackReportFixture.make([
            (1e-4, 0, [0, 0, 0, 0, 0.2]), (1e-3, 0, [0, 0.6, 1, 1, 1]),
        ])
        let cost = try AttackCost(report: report, attackedSplit: "harmful_a_train")
        #expect(cost.longestRun == 100 && cost.threshold == 0.5)
        #expect(cost.stepsByLearningRate.map(\.stepsToThreshold) == [nil, 10])
        #expect(abs(cost.postAttackHarmfulRate - 0.6) < 1e-12 && cost.postAttackLogLikelihood == -2)
    }

    @Test func anUnknownSplitIsAnError() throws {
        let report = try AttackReportFixture.make([(1e-4, 0, [0, 0, 0, 0, 0])])
        #expect(throws: AuditError.self) { try AttackCost(report: report, attackedSplit: "harmful_a_heldout") }
    }
}
