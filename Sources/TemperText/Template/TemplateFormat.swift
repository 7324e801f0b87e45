import Foundation

/// Python's string helpers that filters and methods share: `%` formatting, `str.format`,
/// `splitlines`, `title`, `capitalize`, `strip`, `split` (all on Unicode scalars).
enum TemplateFormat {
    static func isSpace(_ c: Unicode.Scalar) -> Bool { TemplateLexer.isSpace(c) }

    /// `format % args` for `%s %r %d %i %f %%` (what templates use).
    static func printf(_ format: String, _ args: TemplateValue) throws -> String {
        var values: [TemplateValue]
        if case let .list(items) = args { values = items } else { values = [args] }
        var out = ""
        var it = format.unicodeScalars.makeIterator()
        while let c = it.next() {
            guard c == "%" else { out.unicodeScalars.append(c); continue }
            guard let spec = it.next() else { throw TemplateFailure("incomplete format") }
            if spec == "%" { out += "%"; continue }
            guard !values.isEmpty else { throw TemplateFailure("not enough arguments for format string") }
            let v = values.removeFirst()
            switch spec {
            case "s": out += v.pythonString
            case "r": out += v.pythonRepr
            case "d", "i":
                guard let n = TemplateOperators.number(v) else { throw TemplateFailure("%\(spec) format: a number is required, not \(v.typeName)") }
                out += String(Int(exactly: n.rounded(.towardZero)) ?? 0)
            case "f":
                guard let n = TemplateOperators.number(v) else { throw TemplateFailure("%f format: a number is required, not \(v.typeName)") }
                out += String(format: "%f", n)
            default: throw TemplateFailure("unsupported format character '\(spec)'")
            }
        }
        if !values.isEmpty, case .list = args { throw TemplateFailure("not all arguments converted during string formatting") }
        return out
    }

    /// `str.format(*args, **kwargs)` with `{}`, `{0}`, `{name}` and `{{`/`}}` (no format specs).
    static func format(_ template: String, _ args: TemplateArguments) throws -> String {
        var out = ""
        let s = Array(template.unicodeScalars)
        var i = 0, automatic = 0
        while i < s.count {
            let c = s[i]
            if c == "{" {
                if i + 1 < s.count, s[i + 1] == "{" { out += "{"; i += 2; continue }
                guard let close = s[(i + 1)...].firstIndex(of: "}") else { throw TemplateFailure("Single '{' encountered in format string") }
                let field = String(String.UnicodeScalarView(s[(i + 1)..<close]))
                if field.contains(":") || field.contains("!") { throw TemplateFailure("format specs in str.format are not supported") }
                let value: TemplateValue?
                if field.isEmpty {
                    value = automatic < args.positional.count ? args.positional[automatic] : nil
                    automatic += 1
                } else if let n = Int(field) {
                    value = n < args.positional.count ? args.positional[n] : nil
                } else {
                    value = args.keyword.first { $0.key == field }?.value
                }
                guard let value else { throw TemplateFailure("Replacement index \(field.isEmpty ? String(automatic - 1) : field) out of range") }
                out += value.pythonString
                i = close + 1
            } else if c == "}" {
                guard i + 1 < s.count, s[i + 1] == "}" else { throw TemplateFailure("Single '}' encountered in format string") }
                out += "}"
                i += 2
            } else {
                out.unicodeScalars.append(c)
                i += 1
            }
        }
        return out
    }

    static func isLineBreak(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029: return true
        default: return false
        }
    }

    /// `str.splitlines()` (no line ends kept; `\r\n` is one break).
    static func splitlines(_ text: String) -> [String] {
        let s = Array(text.unicodeScalars)
        var lines: [String] = []
        var start = 0, i = 0
        while i < s.count {
            if isLineBreak(s[i]) {
                lines.append(String(String.UnicodeScalarView(s[start..<i])))
                if s[i] == "\r", i + 1 < s.count, s[i + 1] == "\n" { i += 1 }
                start = i + 1
            }
            i += 1
        }
        if start < s.count { lines.append(String(String.UnicodeScalarView(s[start...]))) }
        return lines
    }

    /// `str.title()`: a cased letter after a cased letter is lowered, any other is title-cased.
    static func pythonTitle(_ text: String) -> String {
        var out = ""
        var previousCased = false
        for c in text.unicodeScalars {
            out += previousCased ? c.properties.lowercaseMapping : c.properties.titlecaseMapping
            previousCased = c.properties.isCased
        }
        return out
    }

    /// `str.capitalize()`: first character title-cased, the rest lowered.
    static func capitalize(_ text: String) -> String {
        var out = ""
        for (i, c) in text.unicodeScalars.enumerated() {
            out += i == 0 ? c.properties.titlecaseMapping : c.properties.lowercaseMapping
        }
        return out
    }

    static func lower(_ text: String) -> String { text.unicodeScalars.map(\.properties.lowercaseMapping).joined() }
    static func upper(_ text: String) -> String { text.unicodeScalars.map(\.properties.uppercaseMapping).joined() }

    /// `str.strip/lstrip/rstrip(chars)`; nil chars strips whitespace.
    static func strip(_ text: String, _ chars: String?, leading: Bool, trailing: Bool) -> String {
        let set = chars.map { Set($0.unicodeScalars) }
        func strippable(_ c: Unicode.Scalar) -> Bool { set?.contains(c) ?? isSpace(c) }
        var s = Array(text.unicodeScalars)[...]
        if leading { while let f = s.first, strippable(f) { s = s.dropFirst() } }
        if trailing { while let l = s.last, strippable(l) { s = s.dropLast() } }
        return String(String.UnicodeScalarView(s))
    }

    /// `str.split(sep, maxsplit)`; nil `sep` splits on runs of whitespace.
    static func split(_ text: String, _ sep: String?, maxSplit: Int, fromRight: Bool) throws -> [String] {
        var s = Array(text.unicodeScalars)
        var pieces: [[Unicode.Scalar]] = []
        if fromRight { s.reverse() }
        if let sep {
            var needle = Array(sep.unicodeScalars)
            guard !needle.isEmpty else { throw TemplateFailure("empty separator") }
            if fromRight { needle.reverse() }
            var start = 0, i = 0
            while i + needle.count <= s.count, maxSplit < 0 || pieces.count < maxSplit {
                if s[i..<(i + needle.count)].elementsEqual(needle) {
                    pieces.append(Array(s[start..<i]))
                    i += needle.count
                    start = i
                } else {
                    i += 1
                }
            }
            pieces.append(Array(s[start...]))
        } else {
            var i = 0
            while i < s.count {
                while i < s.count, isSpace(s[i]) { i += 1 }
                guard i < s.count else { break }
                if maxSplit >= 0, pieces.count == maxSplit {
                    var rest = Array(s[i...])
                    while let l = rest.last, isSpace(l) { rest.removeLast() }
                    pieces.append(rest)
                    break
                }
                let start = i
                while i < s.count, !isSpace(s[i]) { i += 1 }
                pieces.append(Array(s[start..<i]))
            }
        }
        if fromRight { pieces = pieces.reversed().map { $0.reversed() } }
        return pieces.map { String(String.UnicodeScalarView($0)) }
    }
}
