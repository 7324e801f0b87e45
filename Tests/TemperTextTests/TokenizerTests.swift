import Foundation
import Testing
@testable import TemperText

@Suite struct TokenizerTests {
    func load(_ text: String) throws -> Tokenizer { try Tokenizer(jsonData: Data(text.utf8), source: "case.json") }

    @Test func fixtureWorldRolesAndSpecialIds() throws {
        let t = try FixturePaths.tokenizer("wordlevel")
        #expect(t.specialTokens == SpecialTokenIds(bos: 1, eos: 2, pad: 0, unk: 3))
        #expect(t.specialTokenIdSet == [0, 1, 2, 3])
        let ids = try t.encode("the dog")
        #expect(ids.first == 1 && ids.last == 2 && ids.count == 4)
        #expect(t.decode(ids, skipSpecialTokens: true) == "the dog")
    }

    @Test func bertRoles() throws {
        let t = try FixturePaths.tokenizer("bert_uncased")
        #expect(t.padTokenId == 0 && t.unkTokenId == 1 && t.bosTokenId == nil && t.eosTokenId == nil)
    }

    @Test func canonicallyEquivalentTokensStayDistinct() throws {
        // "é" precomposed and "e" + combining acute are different tokens with different ids.
        let model = #"{"type": "WordLevel", "vocab": {"<unk>": 0, "\u00e9": 1, "e\u0301": 2}, "unk_token": "<unk>"}"#
        let t = try load(#"{"model": \#(model), "pre_tokenizer": {"type": "WhitespaceSplit"}}"#)
        #expect(try t.encode("\u{E9} e\u{301}") == [1, 2])
        #expect(t.tokenToId("e\u{301}") == 2 && t.tokenToId("\u{E9}") == 1)
        #expect(t.idToToken(2).map { sameScalars($0, "e\u{301}") } == true)
    }

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

    @Test func decodeSkipsIdsOutsideTheVocabulary() throws {
        let t = try FixturePaths.tokenizer("wordlevel")
        let the = try #require(t.tokenToId("the"))
        #expect(t.decode([the, 999_999, -5, the]) == "the the")
    }

    @Test func bpeMergesByRankNotByPosition() throws {
        // "a b" has a worse rank than "b c", so "abc" → a + bc, never ab + c.
        let model = #"{"type": "BPE", "vocab": {"a": 0, "b": 1, "c": 2, "ab": 3, "bc": 4}, "merges": ["b c", "a b"]}"#
        let t = try load(#"{"model": \#(model)}"#)
        #expect(try t.encode("abc") == [0, 4])
        #expect(try t.encode("abab") == [3, 3])
    }

    @Test func bpeByteFallbackAndFusedUnknowns() throws {
        var vocab = #""<unk>": 0, "a": 1"#
        for b in [0xC3, 0xA9] { vocab += #", "\#(BPEModel.byteToken(UInt8(b)))": \#(b)"# }
        let fallback = try load(#"{"model": {"type": "BPE", "vocab": {\#(vocab)}, "merges": [], "unk_token": "<unk>", "byte_fallback": true, "fuse_unk": true}}"#)
        #expect(try fallback.encode("aéa") == [1, 0xC3, 0xA9, 1])
        #expect(try fallback.encode("a😀😀a") == [1, 0, 1])  // no byte tokens: one fused unk
        let unfused = try load(#"{"model": {"type": "BPE", "vocab": {"<unk>": 0, "a": 1}, "merges": [], "unk_token": "<unk>"}}"#)
        #expect(try unfused.encode("a😀😀a") == [1, 0, 0, 1])
        let noUnk = try load(#"{"model": {"type": "BPE", "vocab": {"a": 1}, "merges": []}}"#)
        #expect(try noUnk.encode("a😀a") == [1, 1])  // as the crate: unknown characters vanish
    }

    @Test func wordPieceLongWordsBecomeUnk() throws {
        let model = ###"{"type": "WordPiece", "vocab": {"[UNK]": 0, "ab": 1, "##c": 2}, "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 3}"###
        let t = try load(#"{"model": \#(model), "pre_tokenizer": {"type": "WhitespaceSplit"}}"#)
        #expect(try t.encode("abc abcc abx") == [1, 2, 0, 0])
    }

    @Test func encodingLongTextStaysFast() throws {
        let t = try FixturePaths.tokenizer("llama2_bpe")
        let text = String(repeating: "Tokenizers split text into pieces; 你好 😀 ", count: 2_000)
        let clock = ContinuousClock()
        var ids: [Int] = []
        let elapsed = try clock.measure { ids = try t.encode(text) }
        #expect(ids.count > 20_000)
        #expect(elapsed < .seconds(20))  // a quadratic merge loop over this 80k-character word would not finish
    }
}
