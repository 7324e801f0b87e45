/// Pre-tokenizers from tokenizer.json, as data. `apply` cuts each piece that is not yet
/// an added token into smaller pieces (empty ones are dropped), like the crate's
/// `PreTokenizedString::split`.
indirect enum PreTokenizer: Sendable {
    /// `\w+|[^\w\s]+`, whitespace removed.
    case whitespace
    /// Split on White_Space, removed.
    case whitespaceSplit
    /// Whitespace removed, then every punctuation character isolated.
    case bert
    case byteLevel(addPrefixSpace: Bool, useRegex: Bool)
    case metaspace(replacement: Unicode.Scalar, prepend: PrependScheme, split: Bool)
    case digits(individual: Bool)
    case punctuation(SplitBehavior)
    case charDelimiter(Unicode.Scalar)
    case split(pattern: SplitPattern, behavior: SplitBehavior, invert: Bool)
    case sequence([PreTokenizer])

    enum PrependScheme: String, Sendable { case first, never, always }

    func apply(_ pieces: [Piece]) -> [Piece] {
        var out: [Piece] = []
        out.reserveCapacity(pieces.count * 4)
        for piece in pieces {
            if piece.tokenId != nil { out.append(piece); continue }
            apply(piece, into: &out)
        }
        return out
    }

    private func apply(_ piece: Piece, into out: inout [Piece]) {
        let s = piece.scalars
        switch self {
        case .whitespace:
            var i = 0
            while i < s.count {
                if s[i].isWhiteSpace { i += 1; continue }
                let word = s[i].isRegexWordCharacter
                var j = i + 1
                while j < s.count, !s[j].isWhiteSpace, s[j].isRegexWordCharacter == word { j += 1 }
                out.append(Piece(scalars: Array(s[i..<j]), atOrigin: piece.atOrigin && i == 0, tokenId: nil))
                i = j
            }
        case .whitespaceSplit:
            Splitter.split(piece, Splitter.spans(s, where: { $0.isWhiteSpace }), .removed, into: &out)
        case .bert:
            var words: [Piece] = []
            Splitter.split(piece, Splitter.spans(s, where: { $0.isWhiteSpace }), .removed, into: &words)
            for word in words {
                Splitter.split(word, Splitter.spans(word.scalars, where: { $0.isBertPunctuation }), .isolated, into: &out)
            }
        case let .byteLevel(addPrefixSpace, useRegex):
            var p = piece
            if addPrefixSpace, p.scalars.first != " " { p.scalars.insert(" ", at: 0) }
            var parts: [Piece] = []
            if useRegex {
                let spans = Splitter.spans(count: p.scalars.count, matches: ByteLevel.gpt2Matches(p.scalars))
                Splitter.split(p, spans, .isolated, into: &parts)
            } else if !p.scalars.isEmpty {
                parts = [p]
            }
            for var part in parts {
                part.scalars = ByteLevel.mapBytes(part.scalars)
                out.append(part)
            }
        case let .metaspace(replacement, prepend, split):
            var p = piece
            for i in p.scalars.indices where p.scalars[i] == " " { p.scalars[i] = replacement }
            let startsWithReplacement = p.scalars.first == replacement
            switch prepend {
            case .always: if !startsWithReplacement { p.scalars.insert(replacement, at: 0) }
            case .first: if !startsWithReplacement, p.atOrigin { p.scalars.insert(replacement, at: 0) }
            case .never: break
            }
            if split {
                Splitter.split(p, Splitter.spans(p.scalars, where: { $0 == replacement }), .mergedWithNext, into: &out)
            } else if !p.scalars.isEmpty {
                out.append(p)
            }
        case let .digits(individual):
            Splitter.split(piece, Splitter.spans(s, where: { $0.isNumber }), individual ? .isolated : .contiguous, into: &out)
        case let .punctuation(behavior):
            Splitter.split(piece, Splitter.spans(s, where: { $0.isBertPunctuation }), behavior, into: &out)
        case let .charDelimiter(delimiter):
            Splitter.split(piece, Splitter.spans(s, where: { $0 == delimiter }), .removed, into: &out)
        case let .split(pattern, behavior, invert):
            var spans = Splitter.spans(count: s.count, matches: pattern.matches(in: s))
            if invert { spans = Splitter.invert(spans) }
            Splitter.split(piece, spans, behavior, into: &out)
        case let .sequence(steps):
            var current = [piece]
            for step in steps { current = step.apply(current) }
            out.append(contentsOf: current)
        }
    }

    static func parse(_ r: ComponentReader) throws -> PreTokenizer {
        guard let type = r.type else { throw r.invalid("type", "missing pre-tokenizer type") }
        switch type {
        case "Whitespace": return .whitespace
        case "WhitespaceSplit": return .whitespaceSplit
        case "BertPreTokenizer": return .bert
        case "ByteLevel":
            return .byteLevel(addPrefixSpace: try r.bool("add_prefix_space", default: true),
                              useRegex: try r.bool("use_regex", default: true))
        case "Metaspace":
            return try parseMetaspace(r)
        case "Digits": return .digits(individual: try r.bool("individual_digits", default: false))
        case "Punctuation":
            return .punctuation(try behavior(r, default: .isolated))
        case "CharDelimiterSplit": return .charDelimiter(try r.scalar("delimiter"))
        case "Split":
            return .split(pattern: try SplitPattern.parse(r, field: "pattern"),
                          behavior: try behavior(r, default: nil), invert: try r.bool("invert", default: false))
        case "Sequence":
            let items = try r.array("pretokenizers")
            return .sequence(try items.enumerated().map { i, item in
                try parse(r.child(item, name: "pretokenizers[\(i)]"))
            })
        default:
            throw TextError.unsupportedComponent(path: r.path, component: r.component, type: type)
        }
    }

    /// Metaspace's fields, including the legacy `add_prefix_space` flag (shared with the decoder).
    static func parseMetaspace(_ r: ComponentReader) throws -> PreTokenizer {
        var scheme = PrependScheme.always
        if let name = try r.optionalString("prepend_scheme") {
            guard let parsed = PrependScheme(rawValue: name) else { throw r.invalid("prepend_scheme", "unknown scheme '\(name)'") }
            scheme = parsed
        }
        if try r.optionalBool("add_prefix_space") == false {
            guard scheme == .never || r.value("prepend_scheme") == nil else {
                throw r.invalid("add_prefix_space", "add_prefix_space does not match declared prepend_scheme")
            }
            scheme = .never
        }
        return .metaspace(replacement: try r.scalar("replacement"), prepend: scheme, split: try r.bool("split", default: true))
    }

    private static func behavior(_ r: ComponentReader, default fallback: SplitBehavior?) throws -> SplitBehavior {
        guard let name = try r.optionalString("behavior") else {
            if let fallback { return fallback }
            throw TextError.missingField(path: r.path, component: r.component, field: "behavior")
        }
        guard let b = SplitBehavior(rawValue: name) else { throw r.invalid("behavior", "unknown behavior '\(name)'") }
        return b
    }
}
