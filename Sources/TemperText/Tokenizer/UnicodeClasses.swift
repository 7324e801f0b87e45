/// Character classes with the meanings the Rust `tokenizers` crate gives them. Each is
/// named after the Rust predicate or regex class it reproduces. Swift's Unicode tables
/// can be newer than the crate's for characters assigned recently; for everything in
/// the test corpus they agree.
extension Unicode.Scalar {
    /// Rust `char::is_whitespace` and regex `\s`: the White_Space property.
    var isWhiteSpace: Bool {
        if value < 0x80 { return value == 0x20 || (value >= 0x09 && value <= 0x0D) }
        return properties.isWhitespace
    }

    /// Regex `\p{L}` (Oniguruma): general categories Lu, Ll, Lt, Lm, Lo.
    var isLetter: Bool {
        if value < 0x80 { return (value | 0x20) >= 0x61 && (value | 0x20) <= 0x7A }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    /// Regex `\p{N}` and Rust `char::is_numeric`: Nd, Nl, No.
    var isNumber: Bool {
        if value < 0x80 { return value >= 0x30 && value <= 0x39 }
        switch properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    /// Rust regex-crate `\w`: Alphabetic, M, Nd, Pc, Join_Control.
    var isRegexWordCharacter: Bool {
        if value < 0x80 {
            return (value | 0x20) >= 0x61 && (value | 0x20) <= 0x7A || (value >= 0x30 && value <= 0x39) || value == 0x5F
        }
        if properties.isAlphabetic || properties.isJoinControl { return true }
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
        default: return false
        }
    }

    /// `unicode_categories::is_punctuation`: Pc, Pd, Ps, Pe, Pi, Pf, Po.
    var isUnicodePunctuation: Bool {
        switch properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation: return true
        default: return false
        }
    }

    /// BERT's punctuation test: any ASCII punctuation (incl. `$+<=>^`|~`) or Unicode P*.
    var isBertPunctuation: Bool {
        if value < 0x80 {
            return (value >= 0x21 && value <= 0x2F) || (value >= 0x3A && value <= 0x40)
                || (value >= 0x5B && value <= 0x60) || (value >= 0x7B && value <= 0x7E)
        }
        return isUnicodePunctuation
    }

    /// General category M (Mn, Mc, Me): `is_combining_mark`.
    var isCombiningMark: Bool {
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return false
        }
    }

    /// General category Mn only (BERT's accent stripping).
    var isNonspacingMark: Bool { properties.generalCategory == .nonspacingMark }

    /// BERT's "control" test: Cc, Cf, Co except tab, newline and carriage return.
    var isBertControl: Bool {
        if value == 0x09 || value == 0x0A || value == 0x0D { return false }
        switch properties.generalCategory {
        case .control, .format, .privateUse, .surrogate: return true
        default: return false
        }
    }

    /// BERT's whitespace test: tab, newline, carriage return or White_Space.
    var isBertWhitespace: Bool {
        value == 0x09 || value == 0x0A || value == 0x0D || isWhiteSpace
    }

    /// The CJK Unified Ideograph blocks that BERT surrounds with spaces.
    var isChineseCharacter: Bool {
        switch value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
             0x2B740...0x2B81F, 0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F: return true
        default: return false
        }
    }
}

extension Array where Element == Unicode.Scalar {
    /// The UTF-8 bytes of these scalars (the key type of every vocabulary).
    var utf8Bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        for s in self { UTF8.encode(s) { out.append($0) } }
        return out
    }
}

extension ArraySlice where Element == Unicode.Scalar {
    func utf8Bytes(prefix: [UInt8] = []) -> [UInt8] {
        var out = prefix
        out.reserveCapacity(prefix.count + count)
        for s in self { UTF8.encode(s) { out.append($0) } }
        return out
    }
}

extension String {
    /// A String holding exactly these scalars.
    init(scalars: some Sequence<Unicode.Scalar>) {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        self = String(view)
    }
}

extension String {
    /// The string these bytes spell, or nil if they are not valid UTF-8
    /// (decoding would have substituted U+FFFD, so the round trip differs).
    init?(exactUTF8 bytes: [UInt8]) {
        let decoded = String(decoding: bytes, as: UTF8.self)
        guard decoded.utf8.elementsEqual(bytes) else { return nil }
        self = decoded
    }
}
