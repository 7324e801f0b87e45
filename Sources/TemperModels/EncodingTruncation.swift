import TemperText

/// Truncation as the `tokenizers` library does it with `truncation=True` (strategy
/// `longest_first`, direction right, stride 0): the texts' own tokens are cut to
/// `maxLength` less the post-processor's special tokens, then the special tokens are
/// added. The special tokens' places are read off the full encoding (they do not depend
/// on the text), so any post-processor TemperText implements keeps its layout.
enum EncodingTruncation {
    /// `text` (or the pair `text`, `pair`) encoded with special tokens, in at most `maxLength` tokens.
    static func encode(_ text: String, pair: String?, tokenizer: Tokenizer, maxLength: Int) throws -> Encoding {
        let full = try pair.map { try tokenizer.encodePair(text, $0) } ?? tokenizer.encodeWithTypes(text)
        guard full.ids.count > maxLength else { return full }
        let contents = try ([text] + (pair.map { [$0] } ?? [])).map { try tokenizer.encode($0, addSpecialTokens: false) }
        let specials = full.ids.count - contents.map(\.count).reduce(0, +)
        guard let starts = layout(full.ids, contents), specials < maxLength else {
            throw ModelError.invalidInput(reason: "cannot truncate to \(maxLength) tokens: \(specials) special tokens around the text")
        }
        let kept = keptLengths(contents.map(\.count), budget: maxLength - specials)
        var ids: [Int] = [], types: [Int] = []
        var cursor = 0
        for (i, start) in starts.enumerated() {
            ids += full.ids[cursor..<start] + full.ids[start..<(start + kept[i])]
            types += full.typeIds[cursor..<start] + full.typeIds[start..<(start + kept[i])]
            cursor = start + contents[i].count
        }
        ids += full.ids[cursor...]
        types += full.typeIds[cursor...]
        return Encoding(ids: ids, typeIds: types)
    }

    /// Where each content sequence starts inside `full` (specials before, between and after).
    private static func layout(_ full: [Int], _ contents: [[Int]]) -> [Int]? {
        let specials = full.count - contents.map(\.count).reduce(0, +)
        guard specials >= 0 else { return nil }
        func matches(_ content: [Int], at start: Int) -> Bool {
            start + content.count <= full.count && Array(full[start..<(start + content.count)]) == content
        }
        for first in 0...specials where matches(contents[0], at: first) {
            guard contents.count == 2 else { return [first] }
            let end = first + contents[0].count
            for gap in 0...(specials - first) where matches(contents[1], at: end + gap) { return [first, end + gap] }
        }
        return nil
    }

    /// tokenizers' `longest_first`: a single sequence keeps its first `budget` tokens; of a
    /// pair, the shorter keeps all it can up to half, the longer takes the rest.
    static func keptLengths(_ lengths: [Int], budget: Int) -> [Int] {
        guard lengths.count == 2 else { return [min(lengths[0], budget)] }
        guard lengths[0] + lengths[1] > budget else { return lengths }
        let swap = lengths[0] > lengths[1]
        var (n1, n2) = swap ? (lengths[1], lengths[0]) : (lengths[0], lengths[1])
        n2 = n1 > budget ? n1 : max(n1, budget - n1)
        if n1 + n2 > budget {
            n1 = budget / 2
            n2 = n1 + budget % 2
        }
        let kept = swap ? [n2, n1] : [n1, n2]
        return zip(kept, lengths).map { min($0, $1) }
    }
}
