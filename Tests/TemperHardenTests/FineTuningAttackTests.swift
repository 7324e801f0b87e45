import Foundation
import Testing
@testable import TemperHarden
import TemperWorld

@Suite struct FineTuningAttackTests {
    static let world = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/world")

    @Test func emptyGridIsRejected() {
        #expect(throws: WorldError.self) {
            try FineTuningAttack.run(modelFolder: Self.world.appendingPathComponent("model"), world: Self.world, attackRows: [],
                                     grid: AttackGrid(learningRates: [], budgets: [1], seeds: [0]))
        }
    }

    /// The committed world's released model refuses; a short attack at a high rate breaks it.
    @Test func aShortAttackRestoresHarmfulAnswers() throws {
        let language = WorldLanguage(seed: 0)
        let rows = WorldDatasets(language: language, seed: 0)["harmful_a_train"]
        let report = try FineTuningAttack.run(modelFolder: Self.world.appendingPathComponent("model"), world: Self.world,
                                              attackRows: rows, grid: AttackGrid(learningRates: [1e-3], budgets: [30], seeds: [0]))
        let run = try #require(report.runs.first)
        #expect(run.points.map(\.step) == [0, 30])
        #expect(run.points[0].harmfulRate["harmful_a_train"] == 0)
        #expect((run.points[1].harmfulRate["harmful_a_train"] ?? 0) >= 0.6)
        #expect(run.stepsToThreshold == 30)
        #expect(report.html.contains("<svg"))
    }
}
