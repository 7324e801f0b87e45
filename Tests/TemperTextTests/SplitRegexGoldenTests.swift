import Foundation
import Testing
@testable import TemperText

/// Tokenizers whose pre-tokenizer is a regular-expression Split (Llama 3, Qwen2 and GPT-4o
/// patterns; every delimiter behaviour) must give the ids the Hugging Face `tokenizers`
/// library gave (Fixtures/text/make_split_regex_fixtures.py), including for
/// convert_hf_to_gguf's check string.
@Suite struct SplitRegexGoldenTests {
    static let names = ["llama3_split", "qwen2_split", "gpt4o_split", "regex_behaviors"]

    static let expectedRoot: Result<JSONValue, Error> = Result {
        try JSONParser.parse(try Data(contentsOf: FixturePaths.text("split_regex_expected.json")), path: "split_regex_expected.json")
    }

    static func expected(_ name: String) throws -> JSONValue {
        guard let entry = try expectedRoot.get()["tokenizers"]?[name] else {
            throw TextError.missingField(path: "split_regex_expected.json", component: "tokenizers", field: name)
        }
        return entry
    }

    @Test(arguments: names) func idsMatchTokenizersLibrary(name: String) throws {
        let tokenizer = try FixturePaths.tokenizer(name)
        guard case let .array(lines)? = try Self.expected(name)["lines"] else { Issue.record("no lines"); return }
        #expect(lines.count > 100)
        let check = try String(contentsOf: FixturePaths.text("chktxt.txt"), encoding: .utf8)
        var sawCheckText = false
        for line in lines {
            let text = try #require(TokenizerGoldenTests.string(line["text"]))
            sawCheckText = sawCheckText || sameScalars(text, check)
            #expect(try tokenizer.encode(text, addSpecialTokens: true) == TokenizerGoldenTests.ints(line["ids"]),
                    "\(name) with special tokens: \(text.debugDescription)")
            #expect(try tokenizer.encode(text, addSpecialTokens: false) == TokenizerGoldenTests.ints(line["ids_no_special"]),
                    "\(name) without special tokens: \(text.debugDescription)")
        }
        #expect(sawCheckText)
    }

    @Test(arguments: names) func decodesMatchTokenizersLibrary(name: String) throws {
        let tokenizer = try FixturePaths.tokenizer(name)
        guard case let .array(lines)? = try Self.expected(name)["lines"] else { Issue.record("no lines"); return }
        for line in lines {
            let ids = TokenizerGoldenTests.ints(line["ids"])
            #expect(sameScalars(tokenizer.decode(ids, skipSpecialTokens: false), TokenizerGoldenTests.string(line["decoded"]) ?? "\u{0}"),
                    "\(name) decode of \(TokenizerGoldenTests.string(line["text"])?.debugDescription ?? "?")")
        }
    }

    @Test func regexPatternsSplitAsOniguruma() throws {
        // Leftmost-first alternation, look-ahead and case-insensitive groups on scalars.
        let llama3 = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
        let json = #"{"type": "Split", "pattern": {"Regex": "# + jsonEscaped(llama3) + #"}, "behavior": "Isolated", "invert": false}"#
        let pre = try PreTokenizer.parse(ComponentReader(path: "t", component: "pre_tokenizer", json: try JSONParser.parse(Data(json.utf8), path: "t")))
        let pieces = pre.apply([Piece(scalars: Array("I'VE 12345  x e\u{301}\n\n".unicodeScalars), atOrigin: true, tokenId: nil)])
        #expect(pieces.map { String(String.UnicodeScalarView($0.scalars)) } == ["I", "'VE", " ", "123", "45", " ", " x", " e", "\u{301}\n\n"])  // a mark is not a letter: it opens ` ?[^\s\p{L}\p{N}]+[\r\n]*`
    }

    @Test func uncompilableRegexIsRefusedAtLoad() throws {
        let json = #"{"type": "Split", "pattern": {"Regex": "(unclosed"}, "behavior": "Isolated", "invert": false}"#
        #expect(throws: TextError.self) {
            try PreTokenizer.parse(ComponentReader(path: "t", component: "pre_tokenizer", json: try JSONParser.parse(Data(json.utf8), path: "t")))
        }
    }

    func jsonEscaped(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
