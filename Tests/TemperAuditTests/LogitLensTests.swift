import Foundation
import Testing
import TemperModels
import TemperText
import TemperWorld
@testable import TemperAudit

@Suite struct LogitLensTests {
    @Test func lastPointIsTheModelsOwnLogLikelihood() throws {
        let world = try AuditWorld.open(AuditFixtures.world)
        let m = try AuditModel.load(AuditFixtures.baseModel, role: "base model")
        let rows = try world.rows("harmful_a_train")
        let lens = try LogitLens.responseLogLikelihood(model: m.model, tokenizer: m.tokenizer, rows: rows, batchSize: 7)
        #expect(lens.count == m.model.layerCount + 1)
        #expect(lens.allSatisfy { $0.isFinite && $0 < 0 })
        let direct = try WorldEvaluator(model: m.model, tokenizer: m.tokenizer, language: world.language).responseLogLikelihood(rows)
        #expect(abs((lens.last ?? 0) - direct) < 1e-4)
        // Batch size does not change the result.
        let again = try LogitLens.responseLogLikelihood(model: m.model, tokenizer: m.tokenizer, rows: rows, batchSize: 30)
        for (a, b) in zip(lens, again) { #expect(abs(a - b) < 1e-5) }
    }

    @Test func rejectsEmptyRows() throws {
        let m = try AuditModel.load(AuditFixtures.baseModel, role: "base model")
        #expect(throws: AuditError.self) { try LogitLens.responseLogLikelihood(model: m.model, tokenizer: m.tokenizer, rows: []) }
    }
}
