import Foundation
import Testing
@testable import TemperText

/// tokenizer.json `truncation` / `padding` against `tokenizers` (Fixtures/text/truncation_padding).
@Suite struct TruncationPaddingTests {
    static let folder = FixturePaths.text("truncation_padding")

    static func encoding(_ v: TemplateValue) -> Encoding? {
        func ints(_ key: String) -> [Int]? {
            guard case let .list(items)? = v.field(key) else { return nil }
            return items.compactMap { if case let .int(i) = $0 { return i } else { return nil } }
        }
        guard let ids = ints("ids"), let types = ints("type_ids"), let mask = ints("attention_mask") else { return nil }
        return Encoding(ids: ids, typeIds: types, attentionMask: mask)
    }

    static func check(_ want: TemplateValue, _ got: Result<Encoding, Error>, _ label: String) {
        switch (encoding(want), got) {
        case let (e?, .success(g)): #expect(g == e, "\(label)")
        case let (e?, .failure(error)): Issue.record("\(label): tokenizers gives \(e.ids), we fail: \(error)")
        case let (nil, .success(g)): Issue.record("\(label): tokenizers fails, we give \(g.ids)")
        case (nil, .failure): break
        }
    }

    @Test func encodingsMatchTokenizers() throws {
        let doc = try TemplateValue.parseJSON(try Data(contentsOf: Self.folder.appendingPathComponent("expected.json")), source: "expected.json")
        guard case let .list(singles)? = doc.field("singles"), case let .list(pairs)? = doc.field("pairs"),
              case let .dict(tokenizers)? = doc.field("tokenizers") else { Issue.record("bad expected.json"); return }
        #expect(tokenizers.count >= 9)
        for (name, cases) in tokenizers {
            let tokenizer = try Tokenizer.load(Self.folder.appendingPathComponent("\(name).json"))
            #expect(tokenizer.truncation != nil || tokenizer.padding != nil)
            guard case let .list(wantSingles)? = cases.field("single"), case let .list(wantPairs)? = cases.field("pair") else { continue }
            for (text, want) in zip(singles, wantSingles) {
                Self.check(want, Result { try tokenizer.encodeWithTypes(text.pythonString) }, "\(name) \(text.pythonRepr)")
            }
            for (pair, want) in zip(pairs, wantPairs) {
                guard case let .list(p) = pair, p.count == 2 else { continue }
                Self.check(want, Result { try tokenizer.encodePair(p[0].pythonString, p[1].pythonString) }, "\(name) pair \(pair.pythonRepr)")
            }
            if case let .list(wantBatch)? = cases.field("batch") {
                let got = try tokenizer.encodeBatch(singles.map(\.pythonString))
                for (g, w) in zip(got, wantBatch) { Self.check(w, .success(g), "\(name) batch") }
            }
        }
    }
}
