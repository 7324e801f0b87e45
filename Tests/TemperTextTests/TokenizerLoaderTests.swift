import Foundation
import Testing
@testable import TemperText

/// tokenizer.json files that this library must refuse, each with a typed error naming the
/// file and the component; and the files and folders it must accept.
@Suite struct TokenizerLoaderTests {
    static let wordLevelModel = #"{"type": "WordLevel", "vocab": {"<unk>": 0, "a": 1, "b": 2}, "unk_token": "<unk>"}"#

    static func json(model: String = wordLevelModel, extra: String = "") -> String {
        #"{"version": "1.0", "truncation": null, "padding": null, "added_tokens": [], "model": \#(model)\#(extra)}"#
    }

    func load(_ text: String) throws -> Tokenizer { try Tokenizer(jsonData: Data(text.utf8), source: "case.json") }

    func expectError(_ text: String, _ matches: @escaping (TextError) -> Bool) {
        #expect {
            try load(text)
        } throws: { error in
            guard let e = error as? TextError else { return false }
            return matches(e) && (e.errorDescription ?? "").contains("case.json")
        }
    }

    @Test func refusesUnsupportedModels() {
        expectError(Self.json(model: #"{"type": "Unigram", "vocab": [], "unk_id": 0}"#)) {
            if case let .unsupportedComponent(_, component, type) = $0 { return component == "model" && type == "Unigram" }
            return false
        }
    }

    @Test(arguments: [
        (#", "normalizer": {"type": "Precompiled", "precompiled_charsmap": ""}"#, "Precompiled"),
        (#", "pre_tokenizer": {"type": "UnicodeScripts"}"#, "UnicodeScripts"),
        (#", "post_processor": {"type": "Mystery"}"#, "Mystery"),
        (#", "decoder": {"type": "CTC", "pad_token": "<pad>", "word_delimiter_token": "|", "cleanup": true}"#, "CTC"),
        (#", "normalizer": {"type": "Sequence", "normalizers": [{"type": "NFC"}, {"type": "Nmt"}]}"#, "Nmt"),
    ]) func refusesUnsupportedComponents(extra: String, type: String) {
        expectError(Self.json(extra: extra)) {
            if case let .unsupportedComponent(_, _, t) = $0 { return t == type }
            return false
        }
    }

    // Split pre-tokenizers take regular expressions now (SplitPattern.regex); Replace does not yet.
    @Test(arguments: [
        (#", "normalizer": {"type": "Replace", "pattern": {"Regex": "x"}, "content": "y"}"#, "pattern"),
    ]) func refusesRegexPatterns(extra: String, option: String) {
        expectError(Self.json(extra: extra)) {
            if case let .unsupportedOption(_, _, o, _) = $0 { return o == option }
            return false
        }
    }

    @Test func readsTruncationAndPaddingAndRefusesBadOnesAndDropout() throws {
        let truncation = #"{"version": "1.0", "truncation": {"max_length": 8}, "padding": null, "model": \#(Self.wordLevelModel)}"#
        #expect(try load(truncation).truncation == Truncation(maxLength: 8))
        let padding = #"{"padding": {"strategy": {"Fixed": 4}, "direction": "Left", "pad_id": 2}, "model": \#(Self.wordLevelModel)}"#
        #expect(try load(padding).padding == Padding(fixedLength: 4, padId: 2, fromLeft: true))
        let badStrategy = #"{"truncation": {"max_length": 8, "strategy": "Middle"}, "model": \#(Self.wordLevelModel)}"#
        expectError(badStrategy) { if case .invalidField(_, "truncation", "strategy", _) = $0 { return true } else { return false } }
        let badPadding = #"{"padding": {"strategy": {"Fixed": -1}}, "model": \#(Self.wordLevelModel)}"#
        expectError(badPadding) { if case .invalidField(_, "padding", "strategy", _) = $0 { return true } else { return false } }
        let dropout = Self.json(model: #"{"type": "BPE", "dropout": 0.1, "vocab": {"a": 0}, "merges": []}"#)
        expectError(dropout) { if case .unsupportedOption(_, _, "dropout", _) = $0 { return true } else { return false } }
    }

    @Test func refusesBrokenModels() {
        let badMerge = Self.json(model: #"{"type": "BPE", "vocab": {"a": 0, "b": 1}, "merges": ["a b"]}"#)
        expectError(badMerge) { if case let .unknownToken(_, _, token) = $0 { return token == "ab" } else { return false } }
        let badMergeShape = Self.json(model: #"{"type": "BPE", "vocab": {"a": 0}, "merges": ["a"]}"#)
        expectError(badMergeShape) { if case .invalidField(_, _, "merges", _) = $0 { return true } else { return false } }
        let negativeId = Self.json(model: #"{"type": "WordLevel", "vocab": {"a": -1}, "unk_token": "a"}"#)
        expectError(negativeId) { if case .invalidField(_, _, "vocab", _) = $0 { return true } else { return false } }
        expectError(#"{"version": "1.0"}"#) { if case .missingField(_, _, "model") = $0 { return true } else { return false } }
        expectError(#"{"version": "2.0", "model": \#(Self.wordLevelModel)}"#) {
            if case .unsupportedOption(_, _, "version", _) = $0 { return true } else { return false }
        }
        expectError("{not json") { if case .invalidJSON = $0 { return true } else { return false } }
    }

    @Test func refusesTemplatesNamingUnknownSpecialTokens() {
        let template = #", "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<x>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}], "pair": [], "special_tokens": {}}"#
        expectError(Self.json(extra: template)) { if case .unknownToken(_, _, "<x>") = $0 { return true } else { return false } }
    }

    @Test func missingFileIsAnIOError() {
        #expect(throws: TextError.self) { try Tokenizer.load(URL(fileURLWithPath: "/nonexistent/tokenizer.json")) }
    }

    @Test func loadsAFolderAndReadsRolesFromTokenizerConfig() throws {
        let dir = try FixturePaths.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(contentsOf: FixturePaths.text("gpt2_bpe.json")).write(to: dir.appendingPathComponent("tokenizer.json"))
        let plain = try Tokenizer.load(dir)
        #expect(plain.bosTokenId == 0 && plain.eosTokenId == 0 && plain.padTokenId == nil)
        let config = #"{"bos_token": {"content": "<|endoftext|>"}, "eos_token": "<|endoftext|>", "pad_token": "hello"}"#
        try Data(config.utf8).write(to: dir.appendingPathComponent("tokenizer_config.json"))
        let configured = try Tokenizer.load(dir)
        #expect(configured.padTokenId == configured.tokenToId("hello") && configured.padTokenId != nil)
        try Data(#"{"pad_token": "<missing>"}"#.utf8).write(to: dir.appendingPathComponent("tokenizer_config.json"))
        #expect(throws: TextError.self) { try Tokenizer.load(dir) }
    }

    @Test func acceptsLegacyUntaggedModelsAndStringMerges() throws {
        let legacy = Self.json(model: #"{"vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b"]}"#)
        #expect(try load(legacy).encode("ab") == [2])
    }
}
