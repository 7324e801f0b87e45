import Testing
@testable import TemperText

@Suite struct PreTokenizerTests {
    func pieces(_ p: PreTokenizer, _ s: String, atOrigin: Bool = true) -> [String] {
        p.apply([Piece(scalars: Array(s.unicodeScalars), atOrigin: atOrigin, tokenId: nil)]).map { String(scalars: $0.scalars) }
    }

    @Test func whitespaceBertAndDigits() {
        #expect(pieces(.whitespace, "Hello, world!! x_1 é") == ["Hello", ",", "world", "!!", "x_1", "é"])
        #expect(pieces(.whitespaceSplit, " a\tb\u{3000}c ") == ["a", "b", "c"])
        #expect(pieces(.bert, "don't stop$5") == ["don", "'", "t", "stop", "$", "5"])
        #expect(pieces(.digits(individual: true), "ab123") == ["ab", "1", "2", "3"])
        #expect(pieces(.digits(individual: false), "ab123c") == ["ab", "123", "c"])
    }

    @Test func metaspacePrependSchemes() {
        let first = PreTokenizer.metaspace(replacement: "▁", prepend: .first, split: false)
        #expect(pieces(first, "a b") == ["▁a▁b"])
        #expect(pieces(first, "a b", atOrigin: false) == ["a▁b"])
        let always = PreTokenizer.metaspace(replacement: "▁", prepend: .always, split: true)
        #expect(pieces(always, "a  b") == ["▁a", "▁", "▁b"])
    }

    @Test func byteLevelMapsBytesAndAddsPrefixSpace() {
        #expect(pieces(.byteLevel(addPrefixSpace: true, useRegex: true), "hi é") == ["Ġhi", "ĠÃ©"])
        #expect(pieces(.byteLevel(addPrefixSpace: false, useRegex: false), "a b") == ["aĠb"])
    }

    @Test func addedTokenPiecesPassThrough() {
        let token = Piece(scalars: Array("<s>".unicodeScalars), atOrigin: true, tokenId: 1)
        let out = PreTokenizer.whitespace.apply([token])
        #expect(out.count == 1 && out[0].tokenId == 1)
    }
}
