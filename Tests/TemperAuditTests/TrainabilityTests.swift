import Testing
@testable import TemperAudit

@Suite struct TrainabilityTests {
    func curve(best: Double) -> TrainingCurve {
        TrainingCurve(losses: [1, best], bestLoss: best, finalLoss: best, accuracyBefore: 0, accuracyAfter: 0)
    }

    @Test func passesWithinTheFactorAndSlack() {
        let config = TrainabilityConfig(lossFactor: 1.5, lossSlack: 0.02)
        let ok = Trainability.condition(base: curve(best: 0.2), defended: curve(best: 0.31), config: config)
        #expect(ok.passed && abs((ok.bestLossRatio ?? 0) - 1.55) < 1e-12)
        let slow = Trainability.condition(base: curve(best: 0.2), defended: curve(best: 0.33), config: config)
        #expect(!slow.passed)
        // Near zero the slack decides; a base loss of exactly 0 has no ratio.
        let tiny = Trainability.condition(base: curve(best: 0), defended: curve(best: 0.01), config: config)
        #expect(tiny.passed && tiny.bestLossRatio == nil)
    }

    @Test func measuresBothModelsTheSameWay() throws {
        let world = try AuditFixtures.worldData()
        let base = try AuditFixtures.model(AuditFixtures.baseModel, role: "base model")
        let config = TrainabilityConfig(steps: 3, learningRate: 1e-3, batchSize: 4)
        let a = try Trainability.measure(base, train: try #require(world.newTaskTrain), test: world.newTaskTest, config: config, text: AuditFixtures.text, label: "base model")
        let b = try Trainability.measure(base, train: try #require(world.newTaskTrain), test: world.newTaskTest, config: config, text: AuditFixtures.text, label: "base model")
        #expect(a == b && a.losses.count == 3 && a.bestLoss == a.losses.min() && a.accuracyBefore != nil)
        // The loaded model itself is not trained (each run fine-tunes a fresh copy).
        let again = try Trainability.measure(base, train: try #require(world.newTaskTrain), test: world.newTaskTest, config: config, text: AuditFixtures.text, label: "base model")
        #expect(again.accuracyBefore == a.accuracyBefore && again.losses == a.losses)
    }
}
