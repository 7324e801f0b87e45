import Testing
@testable import TemperText

@Suite struct SplittingTests {
    func split(_ s: String, _ behavior: SplitBehavior) -> [String] {
        let scalars = Array(s.unicodeScalars)
        var out: [Piece] = []
        Splitter.split(Piece(scalars: scalars, atOrigin: true, tokenId: nil),
                       Splitter.spans(scalars, where: { $0 == "-" }), behavior, into: &out)
        return out.map { String(scalars: $0.scalars) }
    }

    // The examples from the crate's `SplitDelimiterBehavior` documentation.
    @Test func delimiterBehaviours() {
        let s = "the-final--countdown"
        #expect(split(s, .removed) == ["the", "final", "countdown"])
        #expect(split(s, .isolated) == ["the", "-", "final", "-", "-", "countdown"])
        #expect(split(s, .mergedWithPrevious) == ["the-", "final-", "-", "countdown"])
        #expect(split(s, .mergedWithNext) == ["the", "-final", "-", "-countdown"])
        #expect(split(s, .contiguous) == ["the", "-", "final", "--", "countdown"])
    }

    @Test func onlyTheFirstPieceKeepsTheOrigin() {
        let scalars = Array("a-b".unicodeScalars)
        var out: [Piece] = []
        Splitter.split(Piece(scalars: scalars, atOrigin: true, tokenId: nil),
                       Splitter.spans(scalars, where: { $0 == "-" }), .removed, into: &out)
        #expect(out.map(\.atOrigin) == [true, false])
        #expect(Splitter.occurrences(of: ["a", "a"], in: Array("aaaa".unicodeScalars)) == [0..<2, 2..<4])
    }
}
