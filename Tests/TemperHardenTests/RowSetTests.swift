import Foundation
import Testing
import TemperIntegrity
import TemperText
@testable import TemperHarden

@Suite struct RowSetTests {
    @Test func filesAreRecordedByDigestAndRowCount() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rows-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: url) }
        let bytes = Data("{\"prompt\":\"a\",\"response\":\"b\"}\n\n{\"prompt\":\"c\",\"response\":\"d\",\"refusal\":\"no\"}\n".utf8)
        try bytes.write(to: url)
        let set = try RowSet.load(url, role: "eval")
        #expect(set.name == url.deletingPathExtension().lastPathComponent && set.rows.map(\.line) == [1, 3])
        #expect(set.record == DataRecord(role: "eval", source: url.path, sha256: SHA256Digest.of(bytes).hex, rows: 2))
        #expect(throws: HardenError.unpairedRow(source: url.path, line: 1, prompt: "a")) { try set.requireRefusals() }
        #expect(set.role("harmful").record.role == "harmful")
    }

    @Test func generatedRowsHashTheirCanonicalJSONL() throws {
        let rows = [DatasetRow(prompt: "p", response: "r", refusal: "x"), DatasetRow(prompt: "q", response: "s")]
        let set = try RowSet.generated(rows, name: "n", role: "r", source: "test")
        let canonical = Data("{\"prompt\":\"p\",\"refusal\":\"x\",\"response\":\"r\"}\n{\"prompt\":\"q\",\"response\":\"s\"}\n".utf8)
        #expect(try JSONLWriter.data(rows) == canonical)
        #expect(set.record.sha256 == SHA256Digest.of(canonical).hex)
        #expect(throws: HardenError.emptyData(source: "test", reason: "the split has no rows")) {
            _ = try RowSet.generated([], name: "n", role: "r", source: "test")
        }
    }

    @Test func badFilesNameTheLine() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data("{\"prompt\":\"a\",\"response\":\"b\"}\n{\"prompt\":\"a\"}\n".utf8).write(to: url)
        #expect(throws: TextError.invalidDatasetLine(path: url.path, line: 2, reason: "missing 'response'")) { _ = try RowSet.load(url, role: "x") }
        try Data("\n  \n".utf8).write(to: url)
        #expect(throws: TextError.emptyDataset(path: url.path)) { _ = try RowSet.load(url, role: "x") }
    }
}
