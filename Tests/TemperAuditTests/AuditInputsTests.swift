import Foundation
import Testing
import TemperHarden
import TemperWorld
@testable import TemperAudit

@Suite struct AuditInputsTests {
    @Test func theWorldPresetFillsEveryRole() throws {
        let data = try AuditFixtures.worldData()
        #expect(data.harmful.rows.count == 30 && data.harmSets.map(\.name) == ["harmful_a_train", "harmful_a_heldout", "harmful_b"])
        #expect(data.records.count == 6 && data.records.allSatisfy { $0.sha256.count == 64 && $0.source.hasPrefix("world:") })
        #expect(data.primaryMetric == "reference")
        #expect(throws: (any Error).self) { _ = try WorldPreset(folder: AuditFixtures.world).set("no_such_split", role: "x") }
    }

    @Test func missingOrWrongWorldIsTyped() throws {
        let dir = try AuditFixtures.tempDir("world")
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: WorldError.self) { _ = try WorldPreset(folder: dir) }
    }

    @Test func filesOfAnyModelAreAuditData() throws {
        let dir = try AuditFixtures.tempDir("files")
        defer { try? FileManager.default.removeItem(at: dir) }
        let pairs = dir.appendingPathComponent("pairs.jsonl"), harmless = dir.appendingPathComponent("harmless.jsonl")
        try Data("{\"prompt\":\"p\",\"response\":\"r\",\"refusal\":\"no\"}\n".utf8).write(to: pairs)
        try Data("{\"prompt\":\"q\",\"response\":\"a\"}\n".utf8).write(to: harmless)
        let data = try AuditData(harmful: try RowSet.load(pairs, role: "harmful"), harmless: try RowSet.load(harmless, role: "harmless"),
                                 judges: [])
        #expect(data.harmSets.map(\.name) == ["pairs"] && data.primaryMetric == "loglik" && data.records.map(\.rows) == [1, 1])
        #expect(throws: AuditError.self) {
            _ = try AuditData(harmful: data.harmful, harmless: data.harmless, heldOut: data.harmful, judges: [])
        }
    }

    @Test func mismatchedVocabulariesAreTyped() throws {
        let dir = try AuditFixtures.tempDir("vocab")
        defer { try? FileManager.default.removeItem(at: dir) }
        let renamed = try AuditFixtures.modelWithRenamedWord(in: dir)
        let world = try AuditFixtures.worldData()
        // Against the world's vocabulary first (the preset's check) …
        #expect(throws: WorldError.self) {
            _ = try AuditInputs.load([("base model", AuditFixtures.baseModel), ("defended model", renamed)], data: world)
        }
        // … and, without the preset, against the other model.
        var files = world
        files.checkModel = nil
        do {
            _ = try AuditInputs.load([("base model", AuditFixtures.baseModel), ("defended model", renamed)], data: files)
            Issue.record("mismatched vocabularies were accepted")
        } catch let error as AuditError {
            guard case let .vocabularyMismatch(_, _, detail) = error else { Issue.record("wrong error \(error)"); return }
            #expect(detail.contains("plus") || detail.contains("plux"))
            #expect(error.isBadInput)
        }
        // Model against model: the first differing id is named.
        let a = try AuditFixtures.model(AuditFixtures.baseModel, role: "base model"), b = try AuditFixtures.model(renamed, role: "defended model")
        do {
            try AuditInputs.checkCompatible(a, b)
            Issue.record("mismatched tokenizers were accepted")
        } catch let AuditError.vocabularyMismatch(_, _, detail) {
            #expect(detail.contains("token id") && detail.contains("'plus'") && detail.contains("'plux'"))
        }
    }

    @Test func missingModelFolderIsTyped() throws {
        let world = try AuditFixtures.worldData()
        let missing = AuditFixtures.world.appendingPathComponent("no-model")
        #expect(throws: AuditError.missingInput(role: "defended model", path: missing.path)) {
            try AuditInputs.load([("base model", AuditFixtures.baseModel), ("defended model", missing)], data: world)
        }
        // A folder that is not a model (the data folder) is unreadable, not a crash.
        #expect(throws: AuditError.self) {
            try AuditInputs.load([("base model", AuditFixtures.world.appendingPathComponent("data"))], data: world)
        }
    }
}
