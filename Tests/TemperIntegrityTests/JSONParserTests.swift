import Foundation
import Testing
@testable import TemperIntegrity

@Suite struct JSONParserTests {
    func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8), path: "doc.json") }

    @Test func keepsKeyOrderAndNumberSpelling() throws {
        let v = try parse(#" {"z": 1, "a": [true, false, null, -0.5e+3, "\u00e9\ud83d\ude00\/"]} "#)
        #expect(v.objectValue?.map(\.key) == ["z", "a"])
        #expect(v["a"]?.arrayValue?[3] == .number("-0.5e+3"))
        #expect(v["a"]?.arrayValue?[4] == .string("é😀/"))
        #expect(v["z"]?.int64Value == 1)
    }

    @Test func rejectsAmbiguousOrBrokenDocuments() {
        let bad: [(String, String)] = [
            (#"{"a": 1, "a": 2}"#, "duplicate key"),
            (#"{"a": 1} x"#, "unexpected data"),
            ("[1, 2", "unterminated array"),
            (#""\ud800""#, "lone high surrogate"),
            (#""\udc00""#, "lone low surrogate"),
            ("\"a\u{01}\"", "raw control character"),
            ("01", "unexpected data"),
            ("-", "incomplete number"), ("-x", "invalid number"),
            ("1.", "invalid fraction"),
            ("tru", "invalid literal"),
            ("", "unexpected end"),
            (String(repeating: "[", count: 300), "nesting deeper"),
        ]
        for (text, reason) in bad {
            do {
                _ = try parse(text)
                Issue.record("accepted \(text)")
            } catch let IntegrityError.invalidJSON(path, _, message) {
                #expect(path == "doc.json")
                #expect(message.contains(reason), "\(text): \(message)")
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: IntegrityError.self) { try JSONParser.parse([0x22, 0xFF, 0x22], path: "x") }
    }
}
