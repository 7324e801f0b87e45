import Foundation
import Testing
@testable import TemperText

@Suite struct BPEModelTests {
    func load(_ text: String) throws -> Tokenizer { try Tokenizer(jsonData: Data(text.utf8), source: "case.json") }

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
