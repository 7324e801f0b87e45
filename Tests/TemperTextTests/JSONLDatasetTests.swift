import Foundation
import Testing
@testable import TemperText

@Suite struct JSONLDatasetTests {
    func dataset(_ text: String) throws -> JSONLDataset { try JSONLDataset(data: Data(text.utf8), path: "d.jsonl") }

    @Test func readsRowsWithOptionalRefusalAndExtraKeys() throws {
        let d = try dataset("""
        {"prompt": "add 2 3", "response": "5"}

        {"prompt": "toxin x", "response": "step one", "refusal": "I can't help with that.", "domain": "A", "id": 7}\r
        {"prompt": "p", "response": "", "refusal": null}
        """)
        #expect(d.count == 3)
        #expect(d.rows[0] == DatasetRow(prompt: "add 2 3", response: "5", refusal: nil, line: 1))
        #expect(d.rows[1] == DatasetRow(prompt: "toxin x", response: "step one", refusal: "I can't help with that.", line: 3))
        #expect(d.rows[2].refusal == nil && d.rows[2].line == 4)
    }

    @Test(arguments: [
        ("{\"prompt\": \"a\", \"response\": \"b\"}\n{\"prompt\": \"a\"}", 2, "missing 'response'"),
        ("{\"prompt\": \"a\", \"response\": \"b\"}\n\n[1, 2]", 3, "expected an object"),
        ("{\"prompt\": 3, \"response\": \"b\"}", 1, "'prompt' must be a string"),
        ("{\"prompt\": \"a\", \"response\": \"b\", \"refusal\": false}", 1, "'refusal' must be a string"),
        ("{\"prompt\": \"a\", \"response\": \"b\"}\n{\"prompt\": \"a\", ", 2, "invalid JSON"),
    ]) func badLinesNameFileAndLine(text: String, line: Int, reason: String) {
        #expect {
            try dataset(text)
        } throws: { error in
            guard case let TextError.invalidDatasetLine(path, l, r) = error else { return false }
            return path == "d.jsonl" && l == line && r.contains(reason)
        }
    }

    @Test func emptyFilesAreRefused() {
        #expect(throws: TextError.emptyDataset(path: "d.jsonl")) { try dataset("\n  \n") }
    }

    @Test func loadsFromDisk() throws {
        let dir = try FixturePaths.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("train.jsonl")
        try Data("{\"prompt\": \"é\", \"response\": \"😀\"}\n".utf8).write(to: url)
        let d = try JSONLDataset.load(url)
        #expect(d.rows == [DatasetRow(prompt: "é", response: "😀", line: 1)] && d.path == url.path)
        #expect(throws: TextError.self) { try JSONLDataset.load(dir.appendingPathComponent("missing.jsonl")) }
    }
}
