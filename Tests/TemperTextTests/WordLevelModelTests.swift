import Foundation
import Testing
@testable import TemperText

@Suite struct WordLevelModelTests {
    func load(_ text: String) throws -> Tokenizer { try Tokenizer(jsonData: Data(text.utf8), source: "case.json") }

    @Test func missingUnkIsATypedErrorAtEncodeTime() throws {
        let t = try load(#"{"model": {"type": "WordLevel", "vocab": {"a": 0}, "unk_token": "<unk>"}, "pre_tokenizer": {"type": "Whitespace"}}"#)
        #expect(try t.encode("a") == [0])
        #expect {
            try t.encode("a b")
        } throws: { error in
            if case let TextError.missingUnkToken(path, _, piece) = error { return path == "case.json" && piece == "b" }
            return false
        }
    }

    @Test func unknownWordsBecomeUnk() throws {
        let t = try load(#"{"model": {"type": "WordLevel", "vocab": {"<unk>": 7, "a": 0}, "unk_token": "<unk>"}, "pre_tokenizer": {"type": "Whitespace"}}"#)
        #expect(try t.encode("a b, a") == [0, 7, 7, 0])
    }
}
