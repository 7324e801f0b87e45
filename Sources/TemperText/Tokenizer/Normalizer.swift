import Foundation

/// Normalizers from tokenizer.json, as data. `apply` rewrites the scalars of one piece of
/// input (the text between added tokens), like the crate's `Normalizer::normalize`.
indirect enum Normalizer: Sendable {
    case bert(cleanText: Bool, handleChineseChars: Bool, stripAccents: Bool, lowercase: Bool)
    case lowercase
    case nfc, nfd, nfkc, nfkd
    case stripAccents
    case strip(left: Bool, right: Bool)
    case replace(pattern: [Unicode.Scalar], content: [Unicode.Scalar])
    case prepend([Unicode.Scalar])
    case byteLevel
    case sequence([Normalizer])

    func apply(_ s: inout [Unicode.Scalar]) {
        switch self {
        case let .bert(cleanText, handleChinese, stripAccents, lowercase):
            if cleanText {
                s = s.compactMap { c in
                    if c.value == 0 || c.value == 0xFFFD || c.isBertControl { return nil }
                    return c.isBertWhitespace ? " " : c
                }
            }
            if handleChinese, s.contains(where: { $0.isChineseCharacter }) {
                var out: [Unicode.Scalar] = []
                out.reserveCapacity(s.count + 8)
                for c in s {
                    if c.isChineseCharacter { out.append(" "); out.append(c); out.append(" ") } else { out.append(c) }
                }
                s = out
            }
            if stripAccents {
                Normalizer.nfd.apply(&s)
                s.removeAll { $0.isNonspacingMark }
            }
            if lowercase { Normalizer.lowercase.apply(&s) }
        case .lowercase:
            if s.allSatisfy({ $0.value < 0x80 }) {
                for i in s.indices where s[i].value >= 0x41 && s[i].value <= 0x5A {
                    s[i] = Unicode.Scalar(UInt8(s[i].value + 0x20))
                }
            } else {
                var out: [Unicode.Scalar] = []
                out.reserveCapacity(s.count)
                for c in s { out.append(contentsOf: c.properties.lowercaseMapping.unicodeScalars) }
                s = out
            }
        case .nfc: s = Normalizer.foundation(s) { $0.precomposedStringWithCanonicalMapping }
        case .nfd: s = Normalizer.foundation(s) { $0.decomposedStringWithCanonicalMapping }
        case .nfkc: s = Normalizer.foundation(s) { $0.precomposedStringWithCompatibilityMapping }
        case .nfkd: s = Normalizer.foundation(s) { $0.decomposedStringWithCompatibilityMapping }
        case .stripAccents:
            s.removeAll { $0.isCombiningMark }
        case let .strip(left, right):
            if right { while let last = s.last, last.isWhiteSpace { s.removeLast() } }
            if left, let first = s.firstIndex(where: { !$0.isWhiteSpace }) {
                s.removeFirst(first)
            } else if left {
                s.removeAll()
            }
        case let .replace(pattern, content):
            let matches = Splitter.occurrences(of: pattern, in: s)
            if matches.isEmpty { return }
            var out: [Unicode.Scalar] = []
            out.reserveCapacity(s.count)
            var prev = 0
            for m in matches {
                out.append(contentsOf: s[prev..<m.lowerBound])
                out.append(contentsOf: content)
                prev = m.upperBound
            }
            out.append(contentsOf: s[prev...])
            s = out
        case let .prepend(prefix):
            if !s.isEmpty { s.insert(contentsOf: prefix, at: 0) }
        case .byteLevel:
            s = ByteLevel.mapBytes(s)
        case let .sequence(normalizers):
            for n in normalizers { n.apply(&s) }
        }
    }

    private static func foundation(_ s: [Unicode.Scalar], _ transform: (String) -> String) -> [Unicode.Scalar] {
        if s.allSatisfy({ $0.value < 0x80 }) { return s }  // ASCII is invariant under all four forms
        return Array(transform(String(scalars: s)).unicodeScalars)
    }

    static func parse(_ r: ComponentReader) throws -> Normalizer {
        guard let type = r.type else { throw r.invalid("type", "missing normalizer type") }
        switch type {
        case "BertNormalizer":
            let lowercase = try r.bool("lowercase", default: true)
            return .bert(cleanText: try r.bool("clean_text", default: true),
                         handleChineseChars: try r.bool("handle_chinese_chars", default: true),
                         stripAccents: try r.optionalBool("strip_accents") ?? lowercase,
                         lowercase: lowercase)
        case "Lowercase": return .lowercase
        case "NFC": return .nfc
        case "NFD": return .nfd
        case "NFKC": return .nfkc
        case "NFKD": return .nfkd
        case "StripAccents": return .stripAccents
        case "Strip":
            return .strip(left: try r.bool("strip_left", default: true), right: try r.bool("strip_right", default: true))
        case "Replace":
            return .replace(pattern: try literalPattern(r, field: "pattern"),
                            content: Array(try r.string("content").unicodeScalars))
        case "Prepend": return .prepend(Array(try r.string("prepend").unicodeScalars))
        case "ByteLevel": return .byteLevel
        case "Sequence":
            let items = try r.array("normalizers")
            return .sequence(try items.enumerated().map { i, item in
                try parse(r.child(item, name: "normalizers[\(i)]"))
            })
        default:
            throw TextError.unsupportedComponent(path: r.path, component: r.component, type: type)
        }
    }

    /// A `{"String": "…"}` pattern; `{"Regex": "…"}` is refused (no regex engine here).
    static func literalPattern(_ r: ComponentReader, field: String) throws -> [Unicode.Scalar] {
        let pattern = try r.require(field)
        if case let .string(s)? = pattern["String"] {
            if s.isEmpty { throw r.unsupported(field, "an empty pattern matches everywhere") }
            return Array(s.unicodeScalars)
        }
        if pattern["Regex"] != nil { throw r.unsupported(field, "regular-expression patterns are not implemented") }
        throw r.invalid(field, "expected {\"String\": …} or {\"Regex\": …}")
    }
}
