import Foundation
import Testing
import TemperFormats
import TemperHarden
import TemperModels
import TemperText
import TemperWorld
@testable import TemperAudit

@Suite(.serialized) struct RelearnAuditTests {
    /// A stand-in for an unlearned model: the base fine-tuned to give each forget fact another
    /// row's answer, with the retain facts kept in the mix, so it no longer recalls the forget set.
    static func unlearnedModel(in dir: URL, steps: Int = 40) throws -> URL {
        let model = try LlamaModel.load(AuditFixtures.baseModel)
        let tokenizer = try Tokenizer.load(AuditFixtures.baseModel)
        let preset = try WorldPreset(folder: AuditFixtures.world)
        let forget = preset.data["forget"]
        let encoder = try ExampleEncoder(tokenizer: tokenizer, maxLength: 64)
        let wrong = try forget.indices.map { try encoder.encode(prompt: forget[$0].prompt, response: forget[($0 + 3) % forget.count].response) }
        let kept = try preset.data["retain"].map { try encoder.encode(prompt: $0.prompt, response: $0.response) }
        try FineTuner.supervised(model: model, examples: wrong + kept, settings: .cosine(steps: steps, batchSize: 8, learningRate: 3e-3, seed: 3), padId: 0)
        let out = dir.appendingPathComponent("unlearned")
        try model.save(to: out)
        return out
    }

    static func worldData() throws -> RelearnData {
        let preset = try WorldPreset(folder: AuditFixtures.world)
        var utility = try preset.set("harmless_test", role: "utility")
        utility.rows = Array(utility.rows.prefix(30))
        return RelearnData(forget: try preset.set("forget", role: "forget"), retain: try preset.set("retain", role: "retain"), utility: utility,
                           unrelated: try preset.set("harmless_train", role: "unrelated"), text: AuditFixtures.text,
                           checkModel: { try preset.checkModel($0) })
    }

    @Test func theForgetSetIsSplitOnceAndDisjointly() throws {
        let data = try Self.worldData()
        let (relearn, heldOut) = try data.split(RelearnConfig())
        #expect(relearn.rows.count == 12 && heldOut.rows.count == 12)
        #expect(Set(relearn.rows.map(\.prompt)).isDisjoint(with: heldOut.rows.map(\.prompt)))
        #expect(Set(relearn.rows.map(\.prompt) + heldOut.rows.map(\.prompt)) == Set(data.forget.rows.map(\.prompt)))
        #expect(try data.split(RelearnConfig()).heldOut == heldOut)
        #expect(data.overlap.isEmpty)
        #expect(throws: AuditError.self) { try data.split(RelearnConfig(relearnFraction: 0.01)) }
    }

    @Test func relearningOnTheWorld() throws {
        let dir = try AuditFixtures.tempDir("relearn")
        defer { try? FileManager.default.removeItem(at: dir) }
        let unlearned = try Self.unlearnedModel(in: dir)
        let config = RelearnConfig(learningRates: [1e-3], budgets: [2, 4], seeds: [0, 1], batchSize: 4, unrelatedRows: 8)
        let report = try RelearnAudit.run(base: AuditFixtures.baseModel, unlearned: unlearned, data: try Self.worldData(), config: config)
        #expect(report.format == "temper.audit.relearn/1" && report.relearnRows == 12 && report.heldOutRows == 12 && report.unrelatedRows == 8)
        // The stand-in forgot: the held-out forget facts are below the base's.
        #expect(report.unlearnedMetrics.forgetAccuracy < report.baseMetrics.forgetAccuracy)
        #expect(report.unlearnedMetrics.forgetLogLikelihood < report.baseMetrics.forgetLogLikelihood)
        #expect(report.curves.map(\.kind) == [.forgetPart, .unrelated] && report.attacks.count == 2)
        for attack in report.attacks {
            #expect(attack.report.runs.count == 2)
            for run in attack.report.runs {
                // Step 0 of every run is the unlearned model, measured the same way as the audit measures it.
                #expect(try RelearnMetrics(point: run.points[0], hasUtility: true) == report.unlearnedMetrics)
            }
            // Recovery recomputed from the raw points of the runs.
            let curve = try #require(report.curves.first { $0.kind == attack.kind })
            for p in curve.points {
                let values = try attack.report.runs.map { run -> Double in
                    let m = try RelearnMetrics(point: try #require(run.points.first { $0.step == p.step }), hasUtility: true)
                    return try #require(Recovery.fraction(after: m.forgetLogLikelihood, unlearned: report.unlearnedMetrics.forgetLogLikelihood,
                                                          base: report.baseMetrics.forgetLogLikelihood))
                }
                #expect(p.forgetLogLikelihoodRecovery == MeanSD(values))
            }
        }
        let svgs = report.html.components(separatedBy: "<svg").count - 1
        #expect(svgs == 6 && !report.html.contains("<script"))
        let files = try ReportFiles.write(report, html: report.html, to: dir.appendingPathComponent("relearn"))
        #expect(try JSONDecoder().decode(RelearnReport.self, from: Data(contentsOf: files.json)) == report)
    }

    @Test func badSettingsAreTypedErrors() throws {
        let data = try Self.worldData()
        #expect(throws: AuditError.self) {
            try RelearnAudit.run(base: AuditFixtures.baseModel, unlearned: AuditFixtures.baseModel, data: data, config: RelearnConfig(learningRates: []))
        }
        #expect(throws: AuditError.self) {
            try RelearnAudit.run(base: AuditFixtures.baseModel, unlearned: URL(fileURLWithPath: "/nonexistent"), data: data,
                                 config: RelearnConfig(budgets: [1], seeds: [0]))
        }
    }
}
