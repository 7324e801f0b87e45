import Testing
@testable import TemperText

@Suite struct ByteLevelTests {
    func pieces(_ s: String) -> [String] {
        let scalars = Array(s.unicodeScalars)
        return ByteLevel.gpt2Matches(scalars).map { String(scalars: scalars[$0]) }
    }

    @Test func splitsLikeTheGPT2Regex() {
        #expect(pieces("Hello world") == ["Hello", " world"])
        #expect(pieces("don't stop") == ["don", "'t", " stop"])
        #expect(pieces("'S 'll ''s") == ["'", "S", " '", "ll", " ''", "s"])
        #expect(pieces("a   b") == ["a", "  ", " b"])
        #expect(pieces("x\n\ny") == ["x", "\n", "\n", "y"])
        #expect(pieces("end   ") == ["end", "   "])
        #expect(pieces("n=42!!") == ["n", "=", "42", "!!"])
        #expect(pieces(" 42 ?!x") == [" 42", " ?!", "x"])
        #expect(pieces("中文 テスト") == ["中文", " テスト"])
        #expect(pieces("\t\tx") == ["\t", "\t", "x"])
        #expect(pieces("") == [])
    }

    @Test func byteMapIsABijectionOntoPrintableCharacters() {
        let table = ByteLevel.byteToScalar
        #expect(Set(table.map(\.value)).count == 256)
        #expect(table[Int(UInt8(ascii: "A"))] == "A")
        #expect(table[0x20] == "Ġ" && table[0x0A] == "Ċ")
        for (b, s) in table.enumerated() { #expect(ByteLevel.scalarToByte[s.value] == UInt8(b)) }
    }
}
