import Foundation
import Testing
@testable import TemperText

@Suite struct AddedVocabularyTests {
    func tokenizer(_ added: String, normalizer: String = "null") throws -> Tokenizer {
        let json = #"{"added_tokens": [\#(added)], "normalizer": \#(normalizer), "model": {"type": "WordLevel", "vocab": {"<unk>": 0, "a": 1, "b": 2}, "unk_token": "<unk>"}, "pre_tokenizer": {"type": "WhitespaceSplit"}}"#
        return try Tokenizer(jsonData: Data(json.utf8), source: "added.json")
    }

    @Test func idsContinueAfterTheModelAndReuseExistingOnes() throws {
        let t = try tokenizer(#"{"id": 99, "content": "<x>", "special": true}, {"id": 1, "content": "a", "special": false}, {"id": 5, "content": "<y>"}"#)
        #expect(t.tokenToId("<x>") == 3 && t.tokenToId("a") == 1 && t.tokenToId("<y>") == 4)
        #expect(t.vocabSize == 5 && t.modelVocabSize == 3)
        #expect(try t.encode("a<x>b <y>") == [1, 3, 2, 4])
    }

    @Test func stripFlagsAndSingleWord() throws {
        let t = try tokenizer(#"{"content": "<m>", "lstrip": true, "rstrip": true, "special": true}, {"content": "ab", "single_word": true, "normalized": false}"#)
        let m = try #require(t.tokenToId("<m>")), ab = try #require(t.tokenToId("ab"))
        #expect(try t.encode("a  <m>  b") == [1, m, 2])
        #expect(try t.encode("ab b ab") == [ab, 2, ab])
        #expect(try t.encode("aab") == [0])  // inside a word: not the added token
    }

    @Test func normalizedTokensMatchAfterNormalization() throws {
        let t = try tokenizer(#"{"content": "Hey", "normalized": true}"#, normalizer: #"{"type": "Lowercase"}"#)
        let hey = try #require(t.tokenToId("Hey"))
        #expect(try t.encode("HEY a hey") == [hey, 1, hey])
        #expect(t.idToToken(hey) == "hey")
    }

    @Test func leftmostLongestMatch() throws {
        let t = try tokenizer(#"{"content": "<a>", "special": true}, {"content": "<a><b>", "special": true}"#)
        let long = try #require(t.tokenToId("<a><b>")), short = try #require(t.tokenToId("<a>"))
        #expect(try t.encode("<a><b><a>") == [long, short])
        #expect(t.decode([long, 1, short], skipSpecialTokens: true) == "a")
    }
}
