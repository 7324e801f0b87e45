import Testing
@testable import TemperText

@Suite struct NormalizerTests {
    func apply(_ n: Normalizer, _ s: String) -> String {
        var scalars = Array(s.unicodeScalars)
        n.apply(&scalars)
        return String(scalars: scalars)
    }

    @Test func bertCleansSplitsChineseStripsAccentsAndLowercases() {
        let bert = Normalizer.bert(cleanText: true, handleChineseChars: true, stripAccents: true, lowercase: true)
        #expect(sameScalars(apply(bert, "Héllo\u{7}\u{200B}\tWörld\u{3000}中文"), "hello world  中  文 "))
        let cased = Normalizer.bert(cleanText: true, handleChineseChars: false, stripAccents: false, lowercase: false)
        #expect(sameScalars(apply(cased, "Héllo\u{FFFD}\u{0}\n中"), "Héllo 中"))
    }

    @Test func lowercaseUsesFullMappings() {
        #expect(sameScalars(apply(.lowercase, "İSTANBUL ΣΑΣ"), "i\u{307}stanbul σασ"))
    }

    @Test func unicodeFormsStripReplaceAndPrepend() {
        #expect(sameScalars(apply(.nfd, "é"), "e\u{301}"))
        #expect(sameScalars(apply(.nfc, "e\u{301}"), "é"))
        #expect(sameScalars(apply(.nfkc, "ﬁ①"), "fi1"))
        #expect(sameScalars(apply(.sequence([.nfd, .stripAccents]), "Crème"), "Creme"))
        #expect(apply(.strip(left: true, right: false), "  a  ") == "a  ")
        #expect(apply(.strip(left: true, right: true), " \t ") == "")
        #expect(apply(.replace(pattern: [" "], content: ["▁"]), " a b ") == "▁a▁b▁")
        #expect(apply(.replace(pattern: ["a", "a"], content: ["b"]), "aaa") == "ba")
        #expect(apply(.prepend(["▁"]), "") == "" && apply(.prepend(["▁"]), "x") == "▁x")
        #expect(apply(.byteLevel, " é") == "Ġé".replacingOccurrences(of: "é", with: "Ã©"))
    }
}
