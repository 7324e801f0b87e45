import Foundation

/// A 1-based line and column in the template source.
struct TemplatePosition: Sendable, Equatable {
    var line: Int
    var column: Int
}

enum TemplateTokenKind: Equatable {
    case text(String)
    case variableBegin, variableEnd, blockBegin, blockEnd
    case name(String)
    case string(String)
    case integer(Int)
    case float(Double)
    case op(String)
    case end
}

struct TemplateToken {
    var kind: TemplateTokenKind
    var position: TemplatePosition
}

/// Splits a template into text and tag tokens the way jinja2's lexer does with
/// `trim_blocks=True, lstrip_blocks=True` (transformers' settings): `{%-`/`-%}` strip all
/// whitespace on that side, `+` keeps it, a block or comment tag alone on its line takes the
/// line's indentation and its newline with it. Newlines are normalized to `\n` and one trailing
/// newline is dropped (`keep_trailing_newline=False`).
struct TemplateLexer {
    private let source: String
    private let s: [Unicode.Scalar]
    private let lineStarts: [Int]
    private var pos = 0
    private var tokens: [TemplateToken] = []
    private let trimBlocks = true, lstripBlocks = true

    static func tokenize(_ text: String, source: String) throws -> [TemplateToken] {
        var lexer = TemplateLexer(text: text, source: source)
        try lexer.run()
        return lexer.tokens
    }

    private init(text: String, source: String) {
        self.source = source
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(text.unicodeScalars.count)
        var previousCR = false
        for c in text.unicodeScalars {
            if c == "\r" { scalars.append("\n"); previousCR = true; continue }
            if c == "\n" && previousCR { previousCR = false; continue }
            previousCR = false
            scalars.append(c)
        }
        if scalars.last == "\n" { scalars.removeLast() }
        s = scalars
        var starts = [0]
        for (i, c) in scalars.enumerated() where c == "\n" { starts.append(i + 1) }
        lineStarts = starts
    }

    private func position(_ index: Int) -> TemplatePosition {
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= index { lo = mid } else { hi = mid - 1 }
        }
        return TemplatePosition(line: lo + 1, column: index - lineStarts[lo] + 1)
    }

    private func fail(_ index: Int, _ reason: String) -> TextError {
        let p = position(index)
        return .templateSyntax(source: source, line: p.line, column: p.column, reason: reason)
    }

    private func matches(_ literal: String, at index: Int) -> Bool {
        var i = index
        for c in literal.unicodeScalars {
            guard i < s.count, s[i] == c else { return false }
            i += 1
        }
        return true
    }

    static func isSpace(_ c: Unicode.Scalar) -> Bool {
        c.properties.isWhitespace || (c.value >= 0x1C && c.value <= 0x1F)
    }

    private mutating func run() throws {
        var lineStarting = true
        while pos < s.count {
            guard let (tagStart, kind) = nextTagStart(from: pos) else {
                emitText(pos, s.count)
                return
            }
            var sign: Unicode.Scalar? = nil
            if tagStart + 2 < s.count, s[tagStart + 2] == "-" || s[tagStart + 2] == "+" { sign = s[tagStart + 2] }
            var textEnd = tagStart
            if sign == "-" {
                while textEnd > pos, Self.isSpace(s[textEnd - 1]) { textEnd -= 1 }
            } else if sign != "+", lstripBlocks, kind != "{" {
                var lineStart = textEnd
                while lineStart > pos, s[lineStart - 1] != "\n" { lineStart -= 1 }
                let hasNewline = lineStart > pos
                if (hasNewline || lineStarting), lineStart < textEnd, (lineStart..<textEnd).allSatisfy({ Self.isSpace(s[$0]) }) {
                    textEnd = lineStart
                }
            }
            emitText(pos, textEnd)
            let afterOpen = tagStart + 2 + (sign == nil ? 0 : 1)
            switch kind {
            case "#":
                pos = try skipComment(from: afterOpen)
            case "%":
                if let rawEnd = try rawBlock(openedAt: tagStart, after: afterOpen) { pos = rawEnd } else {
                    tokens.append(TemplateToken(kind: .blockBegin, position: position(tagStart)))
                    pos = try lexTag(from: afterOpen, block: true)
                }
            default:
                tokens.append(TemplateToken(kind: .variableBegin, position: position(tagStart)))
                pos = try lexTag(from: afterOpen, block: false)
            }
            lineStarting = pos > 0 && s[pos - 1] == "\n"
        }
    }

    private mutating func emitText(_ from: Int, _ to: Int) {
        guard from < to else { return }
        var text = ""
        text.unicodeScalars.append(contentsOf: s[from..<to])
        tokens.append(TemplateToken(kind: .text(text), position: position(from)))
    }

    /// The next `{{`, `{%` or `{#` at or after `from`, with its second character.
    private func nextTagStart(from: Int) -> (Int, Unicode.Scalar)? {
        var i = from
        while i + 1 < s.count {
            if s[i] == "{", s[i + 1] == "{" || s[i + 1] == "%" || s[i + 1] == "#" { return (i, s[i + 1]) }
            i += 1
        }
        return nil
    }

    /// The end of a block or comment closer at `i` (`+%}`, `-%}` and the whitespace after, or
    /// `%}` and one newline), or nil when there is none.
    private func closer(_ close: String, at i: Int) -> Int? {
        let width = close.unicodeScalars.count
        if matches("+" + close, at: i) { return i + 1 + width }
        if matches("-" + close, at: i) {
            var j = i + 1 + width
            while j < s.count, Self.isSpace(s[j]) { j += 1 }
            return j
        }
        if matches(close, at: i) {
            var j = i + width
            if trimBlocks, j < s.count, s[j] == "\n" { j += 1 }
            return j
        }
        return nil
    }

    private func skipComment(from: Int) throws -> Int {
        var i = from
        while i < s.count {
            if let end = closer("#}", at: i) { return end }
            i += 1
        }
        throw fail(from - 2, "missing end of comment tag")
    }

    /// `{% raw %}…{% endraw %}`: the body becomes text as it stands.
    private mutating func rawBlock(openedAt tagStart: Int, after: Int) throws -> Int? {
        var i = after
        while i < s.count, Self.isSpace(s[i]) { i += 1 }
        guard matches("raw", at: i) else { return nil }
        i += 3
        while i < s.count, Self.isSpace(s[i]) { i += 1 }
        guard let bodyStart = (matches("-%}", at: i) ? closer("%}", at: i) : (matches("%}", at: i) ? i + 2 : nil)) else {
            return nil
        }
        var j = bodyStart
        while j < s.count {
            if matches("{%", at: j) {
                var k = j + 2
                var sign: Unicode.Scalar? = nil
                if k < s.count, s[k] == "-" || s[k] == "+" { sign = s[k]; k += 1 }
                while k < s.count, Self.isSpace(s[k]) { k += 1 }
                if matches("endraw", at: k) {
                    k += 6
                    while k < s.count, Self.isSpace(s[k]) { k += 1 }
                    if let end = closer("%}", at: k) {
                        var textEnd = j
                        if sign == "-" {
                            while textEnd > bodyStart, Self.isSpace(s[textEnd - 1]) { textEnd -= 1 }
                        } else if sign != "+" {
                            var lineStart = textEnd
                            while lineStart > bodyStart, s[lineStart - 1] != "\n" { lineStart -= 1 }
                            if lineStart > bodyStart || s[bodyStart - 1] == "\n",
                               (lineStart..<textEnd).allSatisfy({ Self.isSpace(s[$0]) }) { textEnd = lineStart }
                        }
                        emitText(bodyStart, textEnd)
                        return end
                    }
                }
            }
            j += 1
        }
        throw fail(tagStart, "missing end of raw directive")
    }

    /// Tokens inside `{{ … }}` or `{% … %}` up to the closer; returns the index after it.
    private mutating func lexTag(from: Int, block: Bool) throws -> Int {
        var i = from
        var brackets: [Unicode.Scalar] = []
        while true {
            while i < s.count, Self.isSpace(s[i]) { i += 1 }
            guard i < s.count else { throw fail(from, block ? "missing end of block tag '%}'" : "missing end of variable tag '}}'") }
            if brackets.isEmpty {
                if block, let end = closer("%}", at: i) {
                    tokens.append(TemplateToken(kind: .blockEnd, position: position(i)))
                    return end
                }
                if !block {
                    if matches("-}}", at: i) {
                        tokens.append(TemplateToken(kind: .variableEnd, position: position(i)))
                        var j = i + 3
                        while j < s.count, Self.isSpace(s[j]) { j += 1 }
                        return j
                    }
                    if matches("}}", at: i) {
                        tokens.append(TemplateToken(kind: .variableEnd, position: position(i)))
                        return i + 2
                    }
                }
            }
            let start = i
            let c = s[i]
            if c == "'" || c == "\"" {
                let (text, end) = try lexString(at: i)
                tokens.append(TemplateToken(kind: .string(text), position: position(start)))
                i = end
            } else if c.properties.isXIDStart || c == "_" {
                while i < s.count, s[i].properties.isXIDContinue { i += 1 }
                var name = ""
                name.unicodeScalars.append(contentsOf: s[start..<i])
                tokens.append(TemplateToken(kind: .name(name), position: position(start)))
            } else if c.value >= 0x30 && c.value <= 0x39 {
                i = try lexNumber(at: i)
            } else {
                let op = ["//", "**", "==", "!=", ">=", "<="].first { matches($0, at: i) } ?? String(c)
                guard "+-/*%~[](){}=.:|,;<>!".contains(op.first!) || op.count == 2 else {
                    throw fail(i, "unexpected character '\(c)'")
                }
                if op == "!" { throw fail(i, "unexpected character '!'") }
                switch op {
                case "(": brackets.append(")")
                case "[": brackets.append("]")
                case "{": brackets.append("}")
                case ")", "]", "}":
                    guard let expected = brackets.popLast() else { throw fail(i, "unexpected '\(op)'") }
                    guard String(expected) == op else { throw fail(i, "unexpected '\(op)', expected '\(expected)'") }
                default: break
                }
                tokens.append(TemplateToken(kind: .op(op), position: position(start)))
                i += op.unicodeScalars.count
            }
        }
    }

    /// A quoted string with Python's escapes (`\n`, `\t`, `\\`, `\'`, `\xNN`, `\uNNNN`…).
    private func lexString(at start: Int) throws -> (String, Int) {
        let quote = s[start]
        var i = start + 1
        var out = ""
        while i < s.count {
            let c = s[i]
            if c == quote { return (out, i + 1) }
            if c == "\\", i + 1 < s.count {
                let e = s[i + 1]
                i += 2
                switch e {
                case "n": out += "\n"
                case "t": out += "\t"
                case "r": out += "\r"
                case "\\": out += "\\"
                case "'": out += "'"
                case "\"": out += "\""
                case "a": out += "\u{07}"
                case "b": out += "\u{08}"
                case "f": out += "\u{0C}"
                case "v": out += "\u{0B}"
                case "0": out += "\u{00}"
                case "\n": break
                case "x", "u", "U":
                    let width = e == "x" ? 2 : (e == "u" ? 4 : 8)
                    guard i + width <= s.count, let code = UInt32(String(String.UnicodeScalarView(s[i..<(i + width)])), radix: 16),
                          let scalar = Unicode.Scalar(code) else { throw fail(i - 2, "invalid \\\(e) escape in string") }
                    out.unicodeScalars.append(scalar)
                    i += width
                default: out.unicodeScalars.append("\\"); out.unicodeScalars.append(e)
                }
                continue
            }
            out.unicodeScalars.append(c)
            i += 1
        }
        throw fail(start, "unterminated string")
    }

    private mutating func lexNumber(at start: Int) throws -> Int {
        func isDigit(_ i: Int) -> Bool { i < s.count && s[i].value >= 0x30 && s[i].value <= 0x39 }
        var i = start
        while isDigit(i) || (i < s.count && s[i] == "_" && isDigit(i + 1)) { i += 1 }
        var isFloat = false
        if i + 1 < s.count, s[i] == ".", isDigit(i + 1) {
            isFloat = true
            i += 1
            while isDigit(i) || (i < s.count && s[i] == "_" && isDigit(i + 1)) { i += 1 }
        }
        if i < s.count, s[i] == "e" || s[i] == "E" {
            var j = i + 1
            if j < s.count, s[j] == "+" || s[j] == "-" { j += 1 }
            if isDigit(j) {
                isFloat = true
                i = j
                while isDigit(i) { i += 1 }
            }
        }
        let text = String(String.UnicodeScalarView(s[start..<i])).replacingOccurrences(of: "_", with: "")
        if isFloat {
            guard let value = Double(text) else { throw fail(start, "invalid number '\(text)'") }
            tokens.append(TemplateToken(kind: .float(value), position: position(start)))
        } else {
            guard let value = Int(text) else { throw fail(start, "integer '\(text)' is too large") }
            tokens.append(TemplateToken(kind: .integer(value), position: position(start)))
        }
        return i
    }
}
