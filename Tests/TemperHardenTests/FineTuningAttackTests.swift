import Foundation
import Testing
@testable import TemperHarden
import TemperText
import TemperWorld

@Suite struct FineTuningAttackTests {
    static let world = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/world")

    static func data(_ preset: WorldPreset) throws -> AttackData {
        try AttackData(train: try preset.set("harmful_a_train", role: "attack"), eval: try preset.harmSets(), judges: preset.judges)
    }

    @Test func emptyGridIsRejected() throws {
        let preset = try WorldPreset(folder: Self.world)
        #expect(throws: HardenError.self) {
            try FineTuningAttack.run(modelFolder: Self.world.appendingPathComponent("model"), data: try Self.data(preset),
                                     grid: AttackGrid(learningRates: [], budgets: [1], seeds: [0]))
        }
    }

    @Test func attackDataNeedsDistinctEvaluationSets() throws {
        let preset = try WorldPreset(folder: Self.world)
        let set = try preset.set("harmful_b", role: "eval")
        #expect(throws: HardenError.self) { _ = try AttackData(train: set, eval: [set, set], judges: []) }
        #expect(throws: HardenError.self) { _ = try AttackData(train: set, eval: [], judges: []) }
        #expect(throws: HardenError.self) { _ = try AttackData(train: set, eval: [set], attackedSet: "nope", judges: []) }
        #expect(try AttackData(train: set, eval: [set], judges: []).primaryMetric == "loglik")
    }

    /// The committed world's released model refuses; a short attack at a high rate breaks it.
    @Test func aShortAttackRestoresHarmfulAnswers() throws {
        let preset = try WorldPreset(folder: Self.world)
        let report = try FineTuningAttack.run(modelFolder: Self.world.appendingPathComponent("model"), data: try Self.data(preset),
                                              grid: AttackGrid(learningRates: [1e-3], budgets: [30], seeds: [0]),
                                              text: AttackTextOptions(maxLength: WorldPreset.maxLength))
        let run = try #require(report.runs.first)
        #expect(run.points.map(\.step) == [0, 30])
        #expect(run.points[0].harmfulRate["harmful_a_train"] == 0)
        #expect(run.points[0].judgeRates["harmful_a_train"]?["refusal"] == 0)
        #expect((run.points[1].harmfulRate["harmful_a_train"] ?? 0) >= 0.6)
        #expect(run.stepsToThreshold == 30)
        #expect(report.metric == "reference" && report.judges.map(\.name) == ["reference", "refusal"])
        #expect(report.data.map(\.role) == ["attack", "eval", "eval", "eval"] && report.data[0].rows == 30)
        #expect(report.html.contains("<svg") && report.html.contains("sorry i cannot help with that"))
    }
}
