/// A strict RFC 8259 parser producing order-keeping `JSONValue`s. Rejects what would make
/// a signed document ambiguous: duplicate keys, lone surrogates, raw control characters,
/// trailing data, nesting deeper than `maxDepth`. Errors carry the byte offset.
public struct JSONParser {
    public static let maxDepth = 256

    private let bytes: [UInt8]
    private let path: String
    private var i = 0

    public static func parse(_ bytes: [UInt8], path: String) throws -> JSONValue {
        var parser = JSONParser(bytes: bytes, path: path)
        parser.skipSpace()
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.i == bytes.count else { throw parser.fail("unexpected data after the document") }
        return value
    }

    private init(bytes: [UInt8], path: String) { self.bytes = bytes; self.path = path }

    private func fail(_ reason: String) -> IntegrityError { .invalidJSON(path: path, offset: i, reason: reason) }

    private mutating func skipSpace() {
        while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
    }

    private mutating func expect(_ literal: String, _ value: JSONValue) throws -> JSONValue {
        let lit = Array(literal.utf8)
        guard i + lit.count <= bytes.count, Array(bytes[i..<i + lit.count]) == lit else { throw fail("invalid literal") }
        i += lit.count
        return value
    }

    private mutating func value(depth: Int) throws -> JSONValue {
        guard depth < Self.maxDepth else { throw fail("nesting deeper than \(Self.maxDepth)") }
        guard i < bytes.count else { throw fail("unexpected end of document") }
        switch bytes[i] {
        case 0x7B: return try object(depth: depth)
        case 0x5B: return try array(depth: depth)
        case 0x22: return .string(try string())
        case 0x74: return try expect("true", .bool(true))
        case 0x66: return try expect("false", .bool(false))
        case 0x6E: return try expect("null", .null)
        case 0x2D, 0x30...0x39: return try number()
        default: throw fail("unexpected character '\(Character(Unicode.Scalar(bytes[i])))'")
        }
    }

    private mutating func object(depth: Int) throws -> JSONValue {
        i += 1
        var members: [JSONMember] = []
        var seen = Set<[UInt8]>()
        skipSpace()
        if i < bytes.count, bytes[i] == 0x7D { i += 1; return .object([]) }
        while true {
            skipSpace()
            guard i < bytes.count, bytes[i] == 0x22 else { throw fail("expected a key string") }
            let keyOffset = i
            let key = try string()
            guard seen.insert(Array(key.utf8)).inserted else {
                throw IntegrityError.invalidJSON(path: path, offset: keyOffset, reason: "duplicate key '\(key)'")
            }
            skipSpace()
            guard i < bytes.count, bytes[i] == 0x3A else { throw fail("expected ':'") }
            i += 1
            skipSpace()
            members.append(JSONMember(key, try value(depth: depth + 1)))
            skipSpace()
            guard i < bytes.count else { throw fail("unterminated object") }
            if bytes[i] == 0x2C { i += 1; continue }
            if bytes[i] == 0x7D { i += 1; return .object(members) }
            throw fail("expected ',' or '}'")
        }
    }

    private mutating func array(depth: Int) throws -> JSONValue {
        i += 1
        var items: [JSONValue] = []
        skipSpace()
        if i < bytes.count, bytes[i] == 0x5D { i += 1; return .array([]) }
        while true {
            skipSpace()
            items.append(try value(depth: depth + 1))
            skipSpace()
            guard i < bytes.count else { throw fail("unterminated array") }
            if bytes[i] == 0x2C { i += 1; continue }
            if bytes[i] == 0x5D { i += 1; return .array(items) }
            throw fail("expected ',' or ']'")
        }
    }

    private mutating func number() throws -> JSONValue {
        let start = i
        if bytes[i] == 0x2D { i += 1 }
        func digits(_ p: inout JSONParser) -> Int {
            let s = p.i
            while p.i < p.bytes.count, (0x30...0x39).contains(p.bytes[p.i]) { p.i += 1 }
            return p.i - s
        }
        guard i < bytes.count else { throw fail("incomplete number") }
        if bytes[i] == 0x30 { i += 1 } else if digits(&self) == 0 { throw fail("invalid number") }
        if i < bytes.count, bytes[i] == 0x2E {
            i += 1
            guard digits(&self) > 0 else { throw fail("invalid fraction") }
        }
        if i < bytes.count, bytes[i] == 0x65 || bytes[i] == 0x45 {
            i += 1
            if i < bytes.count, bytes[i] == 0x2B || bytes[i] == 0x2D { i += 1 }
            guard digits(&self) > 0 else { throw fail("invalid exponent") }
        }
        return .number(String(decoding: bytes[start..<i], as: UTF8.self))
    }

    private mutating func string() throws -> String {
        i += 1
        var scalars = String.UnicodeScalarView()
        var runStart = i
        func flush(_ p: JSONParser, _ until: Int, _ out: inout String.UnicodeScalarView) throws {
            guard let s = String(validating: p.bytes[runStart..<until], as: UTF8.self) else { throw p.fail("string is not valid UTF-8") }
            out.append(contentsOf: s.unicodeScalars)
        }
        while true {
            guard i < bytes.count else { throw fail("unterminated string") }
            let c = bytes[i]
            if c == 0x22 { try flush(self, i, &scalars); i += 1; return String(scalars) }
            if c < 0x20 { throw fail("raw control character in string") }
            if c != 0x5C { i += 1; continue }
            try flush(self, i, &scalars)
            i += 1
            guard i < bytes.count else { throw fail("unterminated escape") }
            let e = bytes[i]; i += 1
            switch e {
            case 0x22: scalars.append("\"")
            case 0x5C: scalars.append("\\")
            case 0x2F: scalars.append("/")
            case 0x62: scalars.append("\u{08}")
            case 0x66: scalars.append("\u{0C}")
            case 0x6E: scalars.append("\n")
            case 0x72: scalars.append("\r")
            case 0x74: scalars.append("\t")
            case 0x75:
                let unit = try hex4()
                if (0xD800...0xDBFF).contains(unit) {
                    guard i + 1 < bytes.count, bytes[i] == 0x5C, bytes[i + 1] == 0x75 else { throw fail("lone high surrogate") }
                    i += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw fail("invalid low surrogate") }
                    let code = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                    guard let s = Unicode.Scalar(code) else { throw fail("invalid code point") }
                    scalars.append(s)
                } else {
                    guard let s = Unicode.Scalar(UInt32(unit)) else { throw fail("lone low surrogate") }
                    scalars.append(s)
                }
            default: throw fail("invalid escape")
            }
            runStart = i
        }
    }

    private mutating func hex4() throws -> UInt16 {
        guard i + 4 <= bytes.count else { throw fail("incomplete \\u escape") }
        var v: UInt16 = 0
        for _ in 0..<4 {
            let c = bytes[i]
            let d: UInt8
            switch c {
            case 0x30...0x39: d = c - 0x30
            case 0x61...0x66: d = c - 0x57
            case 0x41...0x46: d = c - 0x37
            default: throw fail("invalid hex digit in \\u escape")
            }
            v = v << 4 | UInt16(d)
            i += 1
        }
        return v
    }
}
