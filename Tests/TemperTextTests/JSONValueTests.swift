import Foundation
import Testing
@testable import TemperText

@Suite struct JSONValueTests {
    func parse(_ s: String) throws -> JSONValue { try JSONParser.parse(Data(s.utf8), path: "t.json") }

    @Test func keepsKeyOrderAndExactStrings() throws {
        let v = try parse(#"{"b": 1, "a": [true, null, -2.5e1], "\u00e9": "x", "e\u0301": "y"}"#)
        guard case let .object(pairs) = v else { Issue.record("not an object"); return }
        #expect(pairs.map(\.key).map { Array($0.unicodeScalars) } == [["b"], ["a"], ["\u{E9}"], ["e", "\u{301}"]])
        // Canonically equivalent keys stay distinct.
        guard case let .string(x)? = v["\u{E9}"], case let .string(y)? = v["e\u{301}"] else { Issue.record("lookup"); return }
        #expect(x == "x" && y == "y")
        guard case let .array(items)? = v["a"], case let .double(d) = items[2] else { Issue.record("array"); return }
        #expect(d == -25)
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let v = try parse(#""a\n\t\"\\\/\u0041\ud83d\ude00""#)
        guard case let .string(s) = v else { Issue.record("not a string"); return }
        #expect(sameScalars(s, "a\n\t\"\\/A😀"))
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\" 1}", "01", "1.", "\"\\ud800\"", "\"\\udc00x\"", "\"abc", "nul", "[1] 2",
        "\"\u{01}\"", "{\"a\":1,}", "1e999",
    ]) func rejectsMalformedInput(text: String) {
        #expect(throws: TextError.self) { try parse(text) }
    }

    @Test func rejectsInvalidUTF8WithOffset() {
        let data = Data([0x22, 0xFF, 0x22])
        #expect {
            try JSONParser.parse(data, path: "bad.json")
        } throws: { error in
            guard case let TextError.invalidJSON(path, _, reason) = error else { return false }
            return path == "bad.json" && reason.contains("UTF-8")
        }
    }

    @Test func limitsNestingDepth() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: TextError.self) { try parse(deep) }
    }

    @Test func integersStayExact() throws {
        guard case let .int(i) = try parse("9007199254740993") else { Issue.record("not an int"); return }
        #expect(i == 9_007_199_254_740_993)
    }
}
