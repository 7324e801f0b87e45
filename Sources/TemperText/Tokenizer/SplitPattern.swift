import Foundation

/// The pattern of a `Split` pre-tokenizer: `{"String": "…"}` (literal occurrences) or
/// `{"Regex": "…"}`. The tokenizers crate runs regexes with Oniguruma (`SysRegex`,
/// tokenizers/src/utils/onig.rs); here Swift's Regex engine runs them on Unicode scalars
/// (`matchingSemantics(.unicodeScalar)`, so a combining mark or a ZWJ is its own
/// character, as in Oniguruma), with the same leftmost-first alternation, `\p{…}` classes,
/// `(?i:…)` groups and look-ahead the models' patterns (GPT-2, Llama 3, Qwen2, GPT-4o, …)
/// use. A pattern Swift cannot compile is refused when the tokenizer is loaded.
enum SplitPattern: @unchecked Sendable {  // Regex<AnyRegexOutput> is immutable once built
    case literal([Unicode.Scalar])
    case regex(Regex<AnyRegexOutput>, source: String)

    static func parse(_ r: ComponentReader, field: String) throws -> SplitPattern {
        let pattern = try r.require(field)
        if case let .string(source)? = pattern["Regex"] {
            if source.isEmpty { throw r.unsupported(field, "an empty pattern matches everywhere") }
            do {
                return .regex(try Regex(source).matchingSemantics(.unicodeScalar), source: source)
            } catch {
                throw r.unsupported(field, "regular expression \(source.debugDescription) does not compile: \(error)")
            }
        }
        return .literal(try Normalizer.literalPattern(r, field: field))
    }

    /// Non-overlapping matches, left to right, as scalar offsets (tokenizers' `find_matches`).
    func matches(in s: [Unicode.Scalar]) -> [Range<Int>] {
        switch self {
        case let .literal(pattern):
            return Splitter.occurrences(of: pattern, in: s)
        case let .regex(regex, _):
            guard !s.isEmpty else { return [] }
            var text = String()
            text.unicodeScalars.append(contentsOf: s)
            let view = text.unicodeScalars
            var out: [Range<Int>] = []
            // Offsets advance with the matches, so the whole walk is linear in the text.
            var index = view.startIndex, offset = 0
            func advance(to target: String.Index) -> Int {
                offset += view.distance(from: index, to: target)
                index = target
                return offset
            }
            for match in text.matches(of: regex) {
                let lower = advance(to: match.range.lowerBound)
                let upper = advance(to: match.range.upperBound)
                out.append(lower..<upper)  // empty matches kept: they still cut spans, as in the crate
            }
            return out
        }
    }
}
