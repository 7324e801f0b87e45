import Foundation
import Testing
@testable import TemperIntegrity

@Suite struct JSONWriterTests {
    /// The value behind the expected strings, which are Python's
    /// `json.dumps(v, indent=2, ensure_ascii=True)` and `json.dumps(v, separators=(",", ":"))`.
    static let value: JSONValue = .object([
        JSONMember("b", [1, .object([JSONMember("x", [])]), .object([])]),
        JSONMember("a", .string("q\"\\/\n\t\u{01}\u{7f} é 😀")),
        JSONMember("n", nil),
        JSONMember("t", true),
        JSONMember("f", .number("-1.5e-07")),
    ])

    @Test func indentedMatchesPythonJsonDumps() {
        let expected = "{\n  \"b\": [\n    1,\n    {\n      \"x\": []\n    },\n    {}\n  ],\n  \"a\": \"q\\\"\\\\/\\n\\t\\u0001\\u007f \\u00e9 \\ud83d\\ude00\",\n  \"n\": null,\n  \"t\": true,\n  \"f\": -1.5e-07\n}"
        #expect(String(decoding: JSONWriter.indented(Self.value), as: UTF8.self) == expected)
    }

    @Test func compactMatchesPythonSeparators() {
        let expected = "{\"b\":[1,{\"x\":[]},{}],\"a\":\"q\\\"\\\\/\\n\\t\\u0001\\u007f \\u00e9 \\ud83d\\ude00\",\"n\":null,\"t\":true,\"f\":-1.5e-07}"
        #expect(String(decoding: JSONWriter.compact(Self.value), as: UTF8.self) == expected)
    }

    @Test func writeThenParseIsIdentity() throws {
        #expect(try JSONParser.parse(JSONWriter.indented(Self.value), path: "x") == Self.value)
        #expect(try JSONParser.parse(JSONWriter.compact(Self.value), path: "x") == Self.value)
    }

    @Test func doublesAndIntegers() {
        #expect(JSONValue.double(100) == .number("100.0"))
        #expect(JSONValue.double(0.1) == .number("0.1"))
        #expect(JSONValue.double(.nan) == .null)
        #expect(JSONValue.int(UInt64.max) == .number("18446744073709551615"))
    }
}
