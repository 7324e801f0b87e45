import Testing
@testable import TemperText

@Suite struct DecoderTests {
    @Test func byteFallbackJoinsValidRunsAndMarksInvalidBytes() {
        #expect(Decoder.byteFallback(["a", "<0xC3>", "<0xA9>", "b"]) == ["a", "é", "b"])
        #expect(Decoder.byteFallback(["<0xC3>", "x", "<0xFF>", "<0xFE>"]) == ["\u{FFFD}", "x", "\u{FFFD}", "\u{FFFD}"])
        #expect(Decoder.byteFallback(["<0xZZ>", "<0x41"]) == ["<0xZZ>", "<0x41"])
    }

    @Test func llamaChainAndStrip() {
        let llama = Decoder.sequence([.replace(pattern: ["▁"], content: [" "]), .byteFallback, .fuse,
                                      .strip(content: " ", start: 1, stop: 0)])
        #expect(llama.decode(["▁Hello", "▁w", "orld", "<0x21>"]) == "Hello world!")
        #expect(Decoder.strip(content: "x", start: 5, stop: 5).decode(["xxaxx"]) == "a")
        #expect(Decoder.strip(content: "x", start: 5, stop: 5).decode(["xx"]) == "")
    }

    @Test func wordPieceByteLevelMetaspaceAndBPE() {
        #expect(Decoder.wordPiece(prefix: "##", cleanup: true).decode(["hello", "##s", ",", "do", "n't", "'"]) == "hellos, don't '")
        #expect(Decoder.byteLevel.decode(["Hello", "ĠÃ©", "Ġ", "ðŁ", "ĺ", "Ģ"]) == "Hello é 😀")
        #expect(Decoder.byteLevel.decode(["Ã"]) == "\u{FFFD}")
        #expect(Decoder.metaspace(replacement: "▁", prependScheme: .always).decode(["▁a", "▁b"]) == "a b")
        #expect(Decoder.bpe(suffix: "</w>").decode(["hel", "lo</w>", "you</w>"]) == "hello you")
        #expect(Decoder.bpe(suffix: "</w>").decode([]) == "")
    }
}
