import Foundation
import Testing
@testable import TemperText

@Suite struct WordPieceModelTests {
    func load(_ text: String) throws -> Tokenizer { try Tokenizer(jsonData: Data(text.utf8), source: "case.json") }

    @Test func wordPieceLongWordsBecomeUnk() throws {
        let model = ###"{"type": "WordPiece", "vocab": {"[UNK]": 0, "ab": 1, "##c": 2}, "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 3}"###
        let t = try load(#"{"model": \#(model), "pre_tokenizer": {"type": "WhitespaceSplit"}}"#)
        #expect(try t.encode("abc abcc abx") == [1, 2, 0, 0])
    }

    @Test func greedyLongestMatchWithPrefix() throws {
        let model = ###"{"type": "WordPiece", "vocab": {"[UNK]": 0, "un": 1, "una": 2, "##able": 3, "##a": 4, "##ble": 5}, "unk_token": "[UNK]"}"###
        let t = try load(#"{"model": \#(model), "pre_tokenizer": {"type": "WhitespaceSplit"}}"#)
        // Greedy, not optimal: "unable" is una + ##ble although un + ##able exists.
        #expect(try t.encode("unable unaable") == [2, 5, 2, 3])
    }
}
