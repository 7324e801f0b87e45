import Foundation
import Testing
@testable import TemperAudit

@Suite struct AuditInputsTests {
    @Test func opensTheFixtureWorld() throws {
        let world = try AuditWorld.open(AuditFixtures.world)
        #expect(try world.rows("harmful_a_train").count == 30)
        #expect(throws: AuditError.self) { try world.rows("no_such_split") }
    }

    @Test func missingOrWrongWorldIsTyped() throws {
        let dir = try AuditFixtures.tempDir("world")
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: AuditError.missingInput(role: "world", path: dir.appendingPathComponent("none").path)) {
            try AuditWorld.open(dir.appendingPathComponent("none"))
        }
        do {
            _ = try AuditWorld.open(dir)
            Issue.record("an empty folder opened as a world")
        } catch let error as AuditError {
            guard case .notAWorld = error else { Issue.record("wrong error \(error)"); return }
            #expect(error.isBadInput)
        }
    }

    @Test func mismatchedVocabulariesAreTyped() throws {
        let dir = try AuditFixtures.tempDir("vocab")
        defer { try? FileManager.default.removeItem(at: dir) }
        let renamed = try AuditFixtures.modelWithRenamedWord(in: dir)
        let world = try AuditWorld.open(AuditFixtures.world)
        do {
            _ = try AuditInputs.load([("base model", AuditFixtures.baseModel), ("defended model", renamed)], world: world)
            Issue.record("mismatched vocabularies were accepted")
        } catch let error as AuditError {
            guard case let .vocabularyMismatch(_, _, detail) = error else { Issue.record("wrong error \(error)"); return }
            #expect(detail.contains("plus") || detail.contains("plux"))
            #expect(error.isBadInput)
        }
        // Model against model: the first differing id is named.
        let a = try AuditModel.load(AuditFixtures.baseModel, role: "base model"), b = try AuditModel.load(renamed, role: "defended model")
        do {
            try AuditInputs.checkCompatible(a, b)
            Issue.record("mismatched tokenizers were accepted")
        } catch let AuditError.vocabularyMismatch(_, _, detail) {
            #expect(detail.contains("token id") && detail.contains("'plus'") && detail.contains("'plux'"))
        }
    }

    @Test func missingModelFolderIsTyped() throws {
        let world = try AuditWorld.open(AuditFixtures.world)
        let missing = AuditFixtures.world.appendingPathComponent("no-model")
        #expect(throws: AuditError.missingInput(role: "defended model", path: missing.path)) {
            try AuditInputs.load([("base model", AuditFixtures.baseModel), ("defended model", missing)], world: world)
        }
        // A folder that is not a model (the data folder) is unreadable, not a crash.
        #expect(throws: AuditError.self) {
            try AuditInputs.load([("base model", AuditFixtures.world.appendingPathComponent("data"))], world: world)
        }
    }
}
