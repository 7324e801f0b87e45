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

    @Test func decodeSkipsIdsOutsideTheVocabulary() throws {
        let t = try FixturePaths.tokenizer("wordlevel")
        let the = try #require(t.tokenToId("the"))
        #expect(t.decode([the, 999_999, -5, the]) == "the the")
    }

}
