import Foundation
import Testing
import TemperFormats
import TemperHarden
import TemperModels
import TemperWorld
@testable import TemperAudit

@Suite(.serialized) struct QuantizationAuditTests {
    @Test func forgetModeOnTheWorld() throws {
        let dir = try AuditFixtures.tempDir("quant-audit")
        defer { try? FileManager.default.removeItem(at: dir) }
        let unlearned = try RelearnAuditTests.unlearnedModel(in: dir)
        let preset = try WorldPreset(folder: AuditFixtures.world)
        let data = try QuantizationData(mode: .forget, target: [try preset.set("forget", role: "forget")], retain: try preset.set("retain", role: "retain"),
                                        judges: preset.judges, text: AuditFixtures.text)
        #expect(data.judges.map(\.name) == [ExactMatchJudge.metricName])
        let report = try QuantizationAudit.run(base: AuditFixtures.baseModel, defended: unlearned, data: data, types: [.q8_0, .q4_0])
        #expect(report.format == "temper.audit.quantization/1" && report.types == ["Q8_0", "Q4_0"])
        #expect(report.variants.map { "\($0.model) \($0.type)" } == ["base F32", "defended F32", "base Q8_0", "defended Q8_0", "base Q4_0", "defended Q4_0"])
        #expect(report.recovery.count == 2 * 2)   // types × (exact-match, loglik) on one set
        for r in report.recovery { #expect(r.recovery == Recovery.fraction(after: r.defendedQuantized, unlearned: r.defended, base: r.base)) }

        // The defended Q4_0 numbers are those of the model round-tripped directly and measured by the evaluator.
        let m = try AuditFixtures.model(unlearned, role: "defended model")
        let model = try m.reload()
        try QuantizationRoundTrip.apply(model, fileType: .q4_0)
        let evaluator = ModelEvaluator(model: model, encoding: m.encoding)
        let q4 = try #require(report.variants.last)
        #expect(q4.measurements[0].harmfulRate[ExactMatchJudge.metricName] == (try evaluator.exactMatch(data.target[0].rows)))
        #expect(q4.measurements[0].logLikelihood == (try evaluator.logLikelihood(data.target[0])))
        #expect(q4.tensorTypes["Q4_0"] != nil && q4.retainAccuracy != nil)
        #expect(report.html.components(separatedBy: "<svg").count - 1 == 2)
        let files = try ReportFiles.write(report, html: report.html, to: dir.appendingPathComponent("quant"))
        #expect(try JSONDecoder().decode(QuantizationReport.self, from: Data(contentsOf: files.json)) == report)
    }

    @Test func noTypesIsAnError() throws {
        let preset = try WorldPreset(folder: AuditFixtures.world)
        let data = try QuantizationData(mode: .forget, target: [try preset.set("forget", role: "forget")], judges: [], text: AuditFixtures.text)
        #expect(throws: AuditError.self) { try QuantizationAudit.run(base: AuditFixtures.baseModel, defended: AuditFixtures.baseModel, data: data, types: []) }
    }
}
