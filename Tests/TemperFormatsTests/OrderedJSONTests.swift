import Foundation
import Testing
@testable import TemperFormats

@Suite struct OrderedJSONTests {
    func parse(_ text: String) throws -> OrderedJSON { try OrderedJSON.parse(Array(text.utf8)) }

    @Test func keepsOrderDuplicatesAndNumberText() throws {
        let value = try parse(#" { "b": 1, "a": [true, false, null], "b": -0.50e+3, "s": "x" } "#)
        #expect(value.members?.map(\.key) == ["b", "a", "b", "s"])
        #expect(value.firstDuplicateKey == "b")
        #expect(value["b"] == .number("1"))
        #expect(value.members?[2].value == .number("-0.50e+3"))
        #expect(value["a"] == .array([.bool(true), .bool(false), .null]))
        #expect(value["s"]?.stringValue == "x")
        #expect(value["missing"] == nil)
    }

    @Test func unsignedIntegersOnlyWhenWrittenAsOne() throws {
        #expect(try parse("0").uint64Value == 0)
        #expect(try parse("18446744073709551615").uint64Value == UInt64.max)
        #expect(try parse("18446744073709551616").uint64Value == nil)
        #expect(try parse("-0").uint64Value == nil)
        #expect(try parse("2.0").uint64Value == nil)
        #expect(try parse("2e3").uint64Value == nil)
        #expect(try parse("\"2\"").uint64Value == nil)
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try parse(#""a\"b\\c\/d\b\f\n\r\t\u0001\u00e9\ud83d\ude00z""#)
        #expect(value == .string("a\"b\\c/d\u{8}\u{c}\n\r\t\u{1}é😀z"))
        #expect(try parse("\"名前\"") == .string("名前"))
        #expect(try parse(#""\u0000""#) == .string("\u{0}"))
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":1,}", "{'a':1}", "01", "1.", ".5", "1e", "-", "+1", "tru", "nul",
        "\"abc", "\"a\u{01}b\"", #""\x""#, #""\ud800""#, #""\udc00""#, #""\ud800\u0041""#, #""\u12G4""#,
        "{} {}", "[1 2]", "{\"a\" 1}", "{1:2}", "NaN", "Infinity", "/* c */ {}",
    ])
    func rejectsInvalidJSON(_ text: String) {
        #expect(throws: OrderedJSON.SyntaxError.self) { try OrderedJSON.parse(Array(text.utf8)) }
    }

    @Test func rejectsInvalidUTF8AndDeepNesting() {
        #expect(throws: OrderedJSON.SyntaxError.self) { try OrderedJSON.parse([0x22, 0xFF, 0x22]) }
        #expect(throws: OrderedJSON.SyntaxError.self) { try OrderedJSON.parse([0x22, 0xC0, 0x80, 0x22]) }  // overlong NUL
        let ok = String(repeating: "[", count: 128) + String(repeating: "]", count: 128)
        #expect(throws: Never.self) { try OrderedJSON.parse(Array(ok.utf8)) }
        let deep = String(repeating: "[", count: 129) + String(repeating: "]", count: 129)
        #expect(throws: OrderedJSON.SyntaxError.self) { try OrderedJSON.parse(Array(deep.utf8)) }
        let veryDeep = String(repeating: "{\"a\":", count: 100_000)
        #expect(throws: OrderedJSON.SyntaxError.self) { try OrderedJSON.parse(Array(veryDeep.utf8)) }
    }

    @Test func errorsCarryTheOffset() {
        do {
            _ = try OrderedJSON.parse(Array("{\"a\": x}".utf8))
            Issue.record("parse should have failed")
        } catch {
            #expect(error.offset == 6)
        }
    }

    @Test func serdeCompactEscapesLikeSerdeJSON() {
        let value = OrderedJSON.object([
            .init(key: "k\"\\", value: .string("\u{8}\u{9}\u{a}\u{c}\u{d}\u{1}\u{1f}\u{7f}/é😀")),
            .init(key: "n", value: .array([.number("1"), .number("-2.5"), .null, .bool(true), .object([]), .array([])])),
        ])
        let text = String(decoding: value.serialized(style: .serdeCompact), as: UTF8.self)
        #expect(text == #"{"k\"\\":"\b\t\n\f\r\u0001\u001f"# + "\u{7f}/é😀" + #"","n":[1,-2.5,null,true,{},[]]}"#)
    }

    @Test func pythonIndentedMatchesJSONDumps() {
        let value = OrderedJSON.object([
            .init(key: "metadata", value: .object([.init(key: "total_size", value: .number("12"))])),
            .init(key: "empty", value: .object([])),
            .init(key: "list", value: .array([.number("1"), .string("é😀\u{7f}\"")])),
        ])
        let text = String(decoding: value.serialized(style: .pythonIndented(2)), as: UTF8.self)
        // json.dumps({...}, indent=2) with ensure_ascii=True:
        let expected = "{\n  \"metadata\": {\n    \"total_size\": 12\n  },\n  \"empty\": {},\n  \"list\": [\n    1,\n    \"\\u00e9\\ud83d\\ude00\\u007f\\\"\"\n  ]\n}"
        #expect(text == expected)
    }

    @Test func serialisedTextParsesBackToTheSameValue() throws {
        let value = OrderedJSON.object([
            .init(key: "z", value: .string("tab\t\u{0}é😀")), .init(key: "a", value: .array([.number("3"), .null])),
            .init(key: "z", value: .bool(false)),
        ])
        for style in [OrderedJSON.Style.serdeCompact, .pythonIndented(2)] {
            #expect(try OrderedJSON.parse(value.serialized(style: style)) == value)
        }
    }
}
