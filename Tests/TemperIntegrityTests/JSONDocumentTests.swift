import Foundation
import Testing
import TemperFormats
@testable import TemperIntegrity

@Suite struct JSONDocumentTests {
    @Test func duplicateKeysAreRejectedAtAnyDepth() {
        for text in [#"{"a": 1, "a": 2}"#, #"{"x": [{"b": 1, "b": 1}]}"#, #"[{"c": {"d": 0, "d": 0}}]"#] {
            #expect(throws: IntegrityError.self, "\(text)") { try JSONDocument.parse(Array(text.utf8), path: "doc") }
        }
        #expect(throws: Never.self) { try JSONDocument.parse(Array(#"{"a": {"a": 1}}"#.utf8), path: "doc") }
    }

    @Test func syntaxErrorsNameFileAndOffset() {
        do {
            _ = try JSONDocument.parse(Array(#"{"a": tru}"#.utf8), path: "doc.json")
            Issue.record("accepted invalid JSON")
        } catch let IntegrityError.invalidJSON(path, offset, _) {
            #expect(path == "doc.json" && offset > 0)
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test func encodingSortsKeysAndDoublesRoundTrip() throws {
        struct Config: Encodable { var zeta = 1; var alpha = 0.25; var name = "a/b" }
        let v = try JSONDocument.encoding(Config())
        #expect(v.members?.map(\.key) == ["alpha", "name", "zeta"])
        #expect(v["name"]?.stringValue == "a/b")
        #expect(OrderedJSON.double(0.1) == .number("0.1"))
        #expect(OrderedJSON.double(.infinity) == .null)
        #expect(OrderedJSON.number("-12").int64Value == -12 && OrderedJSON.number("1e3").int64Value == nil)
    }
}
