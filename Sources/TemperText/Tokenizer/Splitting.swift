/// One piece of the input on its way through the pipeline: its (normalized) scalars,
/// whether it starts at offset 0 of the original text (Metaspace `prepend_scheme: first`
/// needs this), and, for added tokens, the id it already stands for.
struct Piece {
    var scalars: [Unicode.Scalar]
    var atOrigin: Bool
    var tokenId: Int?
}

/// What happens to the matched delimiters when a piece is split (`SplitDelimiterBehavior`).
enum SplitBehavior: String, Sendable {
    case removed = "Removed"
    case isolated = "Isolated"
    case mergedWithPrevious = "MergedWithPrevious"
    case mergedWithNext = "MergedWithNext"
    case contiguous = "Contiguous"
}

/// A span of a piece: `range` and whether it was matched by the splitting pattern.
struct MatchSpan {
    var range: Range<Int>
    var isMatch: Bool
}

enum Splitter {
    /// Spans for a per-character predicate: each matching character is its own match,
    /// runs of non-matching characters are one span (the crate's `Fn(char) -> bool` pattern).
    static func spans(_ s: [Unicode.Scalar], where predicate: (Unicode.Scalar) -> Bool) -> [MatchSpan] {
        if s.isEmpty { return [MatchSpan(range: 0..<0, isMatch: false)] }
        var out: [MatchSpan] = []
        var last = 0
        for i in s.indices where predicate(s[i]) {
            if last < i { out.append(MatchSpan(range: last..<i, isMatch: false)) }
            out.append(MatchSpan(range: i..<(i + 1), isMatch: true))
            last = i + 1
        }
        if last < s.count { out.append(MatchSpan(range: last..<s.count, isMatch: false)) }
        return out
    }

    /// Spans from a list of non-overlapping, increasing match ranges (regex-style patterns).
    static func spans(count: Int, matches: [Range<Int>]) -> [MatchSpan] {
        if count == 0 { return [MatchSpan(range: 0..<0, isMatch: false)] }
        var out: [MatchSpan] = []
        var prev = 0
        for m in matches {
            if prev != m.lowerBound { out.append(MatchSpan(range: prev..<m.lowerBound, isMatch: false)) }
            out.append(MatchSpan(range: m, isMatch: true))
            prev = m.upperBound
        }
        if prev != count { out.append(MatchSpan(range: prev..<count, isMatch: false)) }
        return out
    }

    /// Non-overlapping left-to-right occurrences of a literal pattern.
    static func occurrences(of pattern: [Unicode.Scalar], in s: [Unicode.Scalar]) -> [Range<Int>] {
        guard !pattern.isEmpty, pattern.count <= s.count else { return [] }
        var out: [Range<Int>] = []
        var i = 0
        while i + pattern.count <= s.count {
            if s[i] == pattern[0], s[i..<(i + pattern.count)].elementsEqual(pattern) {
                out.append(i..<(i + pattern.count))
                i += pattern.count
            } else {
                i += 1
            }
        }
        return out
    }

    static func invert(_ spans: [MatchSpan]) -> [MatchSpan] {
        spans.map { MatchSpan(range: $0.range, isMatch: !$0.isMatch) }
    }

    /// Applies a delimiter behaviour and cuts `piece` into the resulting non-empty pieces.
    static func split(_ piece: Piece, _ spans: [MatchSpan], _ behavior: SplitBehavior, into out: inout [Piece]) {
        var kept: [(Range<Int>, remove: Bool)] = []
        switch behavior {
        case .isolated:
            kept = spans.map { ($0.range, false) }
        case .removed:
            kept = spans.map { ($0.range, $0.isMatch) }
        case .contiguous:
            var previous = false
            for span in spans {
                if span.isMatch == previous, let last = kept.last {
                    kept[kept.count - 1] = (last.0.lowerBound..<span.range.upperBound, false)
                } else {
                    kept.append((span.range, false))
                }
                previous = span.isMatch
            }
        case .mergedWithPrevious:
            var previous = false
            for span in spans {
                if span.isMatch, !previous, let last = kept.last {
                    kept[kept.count - 1] = (last.0.lowerBound..<span.range.upperBound, false)
                } else {
                    kept.append((span.range, false))
                }
                previous = span.isMatch
            }
        case .mergedWithNext:
            var previous = false
            for span in spans.reversed() {
                if span.isMatch, !previous, let last = kept.last {
                    kept[kept.count - 1] = (span.range.lowerBound..<last.0.upperBound, false)
                } else {
                    kept.append((span.range, false))
                }
                previous = span.isMatch
            }
            kept.reverse()
        }
        for (range, remove) in kept where !remove && !range.isEmpty {
            out.append(Piece(scalars: Array(piece.scalars[range]),
                             atOrigin: piece.atOrigin && range.lowerBound == 0, tokenId: nil))
        }
    }
}
