import Foundation
import Testing
@testable import TemperText

/// Every tokenizer built by Fixtures/text/make_tokenizer_fixtures.py must reproduce the ids
/// and decodes that the Hugging Face `tokenizers` library produced for the same corpus.
@Suite struct TokenizerGoldenTests {
    static let names = ["wordlevel", "wordlevel_split", "bert_uncased", "bert_cased", "gpt2_bpe",
                        "roberta_bpe", "llama2_bpe", "llama_metaspace", "char_bpe", "wordpiece_misc",
                        "bytelevel_normalizer", "metaspace_split"]

    /// expected.json, parsed once for all test cases.
    static let expectedRoot: Result<JSONValue, Error> = Result {
        try JSONParser.parse(try Data(contentsOf: FixturePaths.text("expected.json")), path: "expected.json")
    }

    static func expected(_ name: String) throws -> JSONValue {
        let root = try expectedRoot.get()
        guard let entry = root["tokenizers"]?[name] else { throw TextError.missingField(path: "expected.json", component: "tokenizers", field: name) }
        return entry
    }

    static func ints(_ v: JSONValue?) -> [Int] {
        guard case let .array(items)? = v else { return [-1] }
        return items.map { if case let .int(i) = $0 { return i } else { return -1 } }
    }

    static func string(_ v: JSONValue?) -> String? {
        if case let .string(s)? = v { return s }
        return nil
    }

    @Test(arguments: names) func idsMatchTokenizersLibrary(name: String) throws {
        let tokenizer = try FixturePaths.tokenizer(name)
        let expected = try Self.expected(name)
        guard case let .array(lines)? = expected["lines"] else { Issue.record("no lines"); return }
        #expect(lines.count > 30)
        for line in lines {
            let text = try #require(Self.string(line["text"]))
            let withSpecial = try tokenizer.encode(text, addSpecialTokens: true)
            let without = try tokenizer.encode(text, addSpecialTokens: false)
            #expect(withSpecial == Self.ints(line["ids"]), "\(name) with special tokens: \(text.debugDescription)")
            #expect(without == Self.ints(line["ids_no_special"]), "\(name) without special tokens: \(text.debugDescription)")
        }
    }

    @Test(arguments: names) func decodesMatchTokenizersLibrary(name: String) throws {
        let tokenizer = try FixturePaths.tokenizer(name)
        let expected = try Self.expected(name)
        guard case let .array(lines)? = expected["lines"] else { Issue.record("no lines"); return }
        for line in lines {
            let ids = Self.ints(line["ids"])
            let plain = tokenizer.decode(ids, skipSpecialTokens: false)
            let skipped = tokenizer.decode(ids, skipSpecialTokens: true)
            let text = Self.string(line["text"]) ?? ""
            #expect(sameScalars(plain, Self.string(line["decoded"]) ?? "\u{0}"), "\(name) decode: \(text.debugDescription) → \(plain.debugDescription)")
            #expect(sameScalars(skipped, Self.string(line["decoded_skip_special"]) ?? "\u{0}"), "\(name) decode skipping specials: \(text.debugDescription) → \(skipped.debugDescription)")
        }
    }

    @Test(arguments: names) func pairsMatchTokenizersLibrary(name: String) throws {
        let tokenizer = try FixturePaths.tokenizer(name)
        let expected = try Self.expected(name)
        guard case let .array(pairs)? = expected["pairs"] else { Issue.record("no pairs"); return }
        for pair in pairs {
            let a = Self.string(pair["a"]) ?? "", b = Self.string(pair["b"]) ?? ""
            let encoding = try tokenizer.encodePair(a, b)
            #expect(encoding.ids == Self.ints(pair["ids"]), "\(name) pair ids: \(a) | \(b)")
            #expect(encoding.typeIds == Self.ints(pair["type_ids"]), "\(name) pair type ids: \(a) | \(b)")
        }
    }

    @Test(arguments: names) func vocabularyMatchesTokenizersLibrary(name: String) throws {
        let tokenizer = try FixturePaths.tokenizer(name)
        let expected = try Self.expected(name)
        guard case let .int(size)? = expected["vocab_size"] else { Issue.record("no vocab_size"); return }
        #expect(tokenizer.vocabSize == size)
        guard case let .object(specials)? = expected["special_ids"] else { Issue.record("no special_ids"); return }
        #expect(!specials.isEmpty)
        for (token, value) in specials {
            guard case let .int(id) = value else { continue }
            #expect(tokenizer.tokenToId(token) == id, "\(name): \(token)")
            #expect(tokenizer.idToToken(id).map { sameScalars($0, token) } == true, "\(name): id \(id)")
        }
    }
}
