import Foundation
import Testing
import TemperHarden
import TemperModels
import TemperText
@testable import TemperAudit

@Suite struct LogitLensTests {
    @Test func lastPointIsTheModelsOwnLogLikelihood() throws {
        let world = try AuditFixtures.worldData()
        let m = try AuditFixtures.model(AuditFixtures.baseModel, role: "base model")
        let lens = try LogitLens.responseLogLikelihood(model: m.model, encoding: m.encoding, sets: [world.harmful], batchSize: 7)
        #expect(lens.count == m.model.layerCount + 1)
        #expect(lens.allSatisfy { $0.isFinite && $0 < 0 })
        let direct = try m.evaluator(AuditFixtures.text).logLikelihood(world.harmful)
        #expect(abs((lens.last ?? 0) - direct) < 1e-4)
        // Batch size does not change the result.
        let again = try LogitLens.responseLogLikelihood(model: m.model, encoding: m.encoding, sets: [world.harmful], batchSize: 30)
        for (a, b) in zip(lens, again) { #expect(abs(a - b) < 1e-5) }
    }

    @Test func rejectsEmptyRows() throws {
        let m = try AuditFixtures.model(AuditFixtures.baseModel, role: "base model")
        #expect(throws: AuditError.self) { try LogitLens.responseLogLikelihood(model: m.model, encoding: m.encoding, sets: []) }
    }
}
