/// Decoders from tokenizer.json: each turns the list of token strings into a new list
/// (`decode_chain`); the final list is concatenated.
indirect enum Decoder: Sendable {
    case byteLevel
    case wordPiece(prefix: String, cleanup: Bool)
    case metaspace(replacement: Unicode.Scalar, prependScheme: PreTokenizer.PrependScheme)
    case bpe(suffix: String)
    case replace(pattern: [Unicode.Scalar], content: [Unicode.Scalar])
    case byteFallback
    case fuse
    case strip(content: Unicode.Scalar, start: Int, stop: Int)
    case sequence([Decoder])

    func decode(_ tokens: [String]) -> String { chain(tokens).joined() }

    func chain(_ tokens: [String]) -> [String] {
        switch self {
        case .byteLevel:
            var bytes: [UInt8] = []
            for token in tokens {
                var mapped: [UInt8] = []
                var complete = true
                for s in token.unicodeScalars {
                    guard let b = ByteLevel.scalarToByte[s.value] else { complete = false; break }
                    mapped.append(b)
                }
                bytes += complete ? mapped : Array(token.utf8)
            }
            return [String(decoding: bytes, as: UTF8.self)]  // invalid bytes → U+FFFD, like from_utf8_lossy
        case let .wordPiece(prefix, cleanup):
            return tokens.enumerated().map { i, token in
                var t = token
                if i != 0 { t = t.utf8.starts(with: prefix.utf8) ? String(decoding: t.utf8.dropFirst(prefix.utf8.count), as: UTF8.self) : " " + t }
                return cleanup ? Decoder.cleanUp(t) : t
            }
        case let .metaspace(replacement, scheme):
            return tokens.enumerated().map { i, token in
                String(scalars: token.unicodeScalars.compactMap { c -> Unicode.Scalar? in
                    guard c == replacement else { return c }
                    return i == 0 && scheme != .never ? nil : " "
                })
            }
        case let .bpe(suffix):
            return tokens.enumerated().map { i, token in
                token.replacingExactly(Array(suffix.unicodeScalars), with: i == tokens.count - 1 ? [] : [" "])
            }
        case let .replace(pattern, content):
            return tokens.map { $0.replacingExactly(pattern, with: content) }
        case .byteFallback:
            return Decoder.byteFallback(tokens)
        case .fuse:
            return [tokens.joined()]
        case let .strip(content, start, stop):
            return tokens.map { token in
                let chars = Array(token.unicodeScalars)
                var startCut = 0
                for (i, c) in chars.enumerated().prefix(start) {
                    if c == content { startCut = i + 1 } else { break }
                }
                var stopCut = chars.count
                for i in 0..<min(stop, chars.count) {
                    let index = chars.count - i - 1
                    if chars[index] == content { stopCut = index } else { break }
                }
                return stopCut > startCut ? String(scalars: chars[startCut..<stopCut]) : ""
            }
        case let .sequence(steps):
            var current = tokens
            for step in steps { current = step.chain(current) }
            return current
        }
    }

    /// WordPiece's `cleanup`: glue punctuation and English contractions back on.
    static func cleanUp(_ s: String) -> String {
        let rules: [(String, String)] = [(" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"),
                                         (" n't", "n't"), (" 'm", "'m"), (" do not", " don't"), (" 's", "'s"),
                                         (" 've", "'ve"), (" 're", "'re")]
        var out = s
        for (from, to) in rules { out = out.replacingExactly(Array(from.unicodeScalars), with: Array(to.unicodeScalars)) }
        return out
    }

    /// `<0xNN>` runs become the UTF-8 text they spell, or one U+FFFD per byte if invalid.
    static func byteFallback(_ tokens: [String]) -> [String] {
        var out: [String] = []
        var pending: [UInt8] = []
        func flush() {
            guard !pending.isEmpty else { return }
            if let s = String(exactUTF8: pending) {
                out.append(s)
            } else {
                out += Array(repeating: "\u{FFFD}", count: pending.count)
            }
            pending.removeAll()
        }
        for token in tokens {
            let u = Array(token.utf8)
            if u.count == 6, u.starts(with: Array("<0x".utf8)), u[5] == UInt8(ascii: ">"),
               let byte = hexByte(u[3], u[4]) {
                pending.append(byte)
            } else {
                flush()
                out.append(token)
            }
        }
        flush()
        return out
    }

    /// Rust's `u8::from_str_radix(_, 16)` on two bytes: two hex digits, or `+` and one.
    private static func hexByte(_ a: UInt8, _ b: UInt8) -> UInt8? {
        func digit(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x41...0x46: return c - 0x41 + 10
            case 0x61...0x66: return c - 0x61 + 10
            default: return nil
            }
        }
        guard let low = digit(b) else { return nil }
        if a == UInt8(ascii: "+") { return low }
        guard let high = digit(a) else { return nil }
        return high << 4 | low
    }

    static func parse(_ r: ComponentReader) throws -> Decoder {
        guard let type = r.type else { throw r.invalid("type", "missing decoder type") }
        switch type {
        case "ByteLevel": return .byteLevel
        case "WordPiece":
            return .wordPiece(prefix: try r.optionalString("prefix") ?? "##", cleanup: try r.bool("cleanup", default: true))
        case "Metaspace":
            guard case let .metaspace(replacement, scheme, _) = try PreTokenizer.parseMetaspace(r) else {
                throw r.invalid("type", "not a Metaspace decoder")
            }
            return .metaspace(replacement: replacement, prependScheme: scheme)
        case "BPEDecoder": return .bpe(suffix: try r.optionalString("suffix") ?? "</w>")
        case "Replace":
            return .replace(pattern: try Normalizer.literalPattern(r, field: "pattern"),
                            content: Array(try r.string("content").unicodeScalars))
        case "ByteFallback": return .byteFallback
        case "Fuse": return .fuse
        case "Strip":
            return .strip(content: try r.scalar("content"), start: try r.int("start"), stop: try r.int("stop"))
        case "Sequence":
            let items = try r.array("decoders")
            return .sequence(try items.enumerated().map { i, item in
                try parse(r.child(item, name: "decoders[\(i)]"))
            })
        default:
            throw TextError.unsupportedComponent(path: r.path, component: r.component, type: type)
        }
    }
}

extension String {
    /// Replaces non-overlapping occurrences, comparing scalars exactly.
    func replacingExactly(_ pattern: [Unicode.Scalar], with content: [Unicode.Scalar]) -> String {
        let s = Array(unicodeScalars)
        let matches = Splitter.occurrences(of: pattern, in: s)
        if matches.isEmpty { return self }
        var out: [Unicode.Scalar] = []
        var prev = 0
        for m in matches {
            out += s[prev..<m.lowerBound]
            out += content
            prev = m.upperBound
        }
        out += s[prev...]
        return String(scalars: out)
    }
}
