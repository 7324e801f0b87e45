/// Serialises `OrderedJSON` byte-for-byte like the two writers whose files Temper must
/// reproduce: Rust `serde_json::to_string` (safetensors headers) and Python
/// `json.dumps(indent=n)` with its default `ensure_ascii=True` (transformers' shard index).
extension OrderedJSON {
    public enum Style: Sendable, Equatable {
        /// serde_json compact: no spaces; only `"`, `\`, and control characters escaped
        /// (`\b \t \n \f \r`, others as lowercase `\u00xx`); non-ASCII written raw.
        case serdeCompact
        /// Python `json.dumps(indent: n)`: newline + n spaces per level, `": "` after keys,
        /// every character outside 0x20...0x7E escaped as lowercase `\uxxxx` (surrogate pairs).
        case pythonIndented(Int)
    }

    public func serialized(style: Style = .serdeCompact) -> [UInt8] {
        var out: [UInt8] = []
        append(to: &out, style: style, level: 0)
        return out
    }

    func append(to out: inout [UInt8], style: Style, level: Int) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case let .bool(b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case let .number(text): out.append(contentsOf: text.utf8)
        case let .string(s): OrderedJSON.appendQuoted(s, to: &out, style: style)
        case let .array(elements):
            out.append(UInt8(ascii: "["))
            if elements.isEmpty { out.append(UInt8(ascii: "]")); return }
            for (i, element) in elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                OrderedJSON.newline(&out, style: style, level: level + 1)
                element.append(to: &out, style: style, level: level + 1)
            }
            OrderedJSON.newline(&out, style: style, level: level)
            out.append(UInt8(ascii: "]"))
        case let .object(members):
            out.append(UInt8(ascii: "{"))
            if members.isEmpty { out.append(UInt8(ascii: "}")); return }
            for (i, member) in members.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                OrderedJSON.newline(&out, style: style, level: level + 1)
                OrderedJSON.appendQuoted(member.key, to: &out, style: style)
                out.append(UInt8(ascii: ":"))
                if case .pythonIndented = style { out.append(UInt8(ascii: " ")) }
                member.value.append(to: &out, style: style, level: level + 1)
            }
            OrderedJSON.newline(&out, style: style, level: level)
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func newline(_ out: inout [UInt8], style: Style, level: Int) {
        guard case let .pythonIndented(width) = style else { return }
        out.append(0x0A)
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: width * level))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func appendUnicodeEscape(_ unit: UInt16, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "u"))
        for shift in stride(from: 12, through: 0, by: -4) { out.append(hexDigits[Int(unit >> UInt16(shift)) & 0xF]) }
    }

    /// Appends `s` as a quoted JSON string in the given style.
    static func appendQuoted(_ s: String, to out: inout [UInt8], style: Style) {
        out.append(UInt8(ascii: "\""))
        switch style {
        case .serdeCompact:
            for byte in s.utf8 {
                switch byte {
                case UInt8(ascii: "\""): out.append(UInt8(ascii: "\\")); out.append(byte)
                case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(byte)
                case 0x08: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "b"))
                case 0x09: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
                case 0x0A: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
                case 0x0C: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "f"))
                case 0x0D: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
                case 0..<0x20: appendUnicodeEscape(UInt16(byte), to: &out)
                default: out.append(byte)
                }
            }
        case .pythonIndented:
            for unit in s.utf16 {
                switch unit {
                case UInt16(UInt8(ascii: "\"")): out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "\""))
                case UInt16(UInt8(ascii: "\\")): out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "\\"))
                case 0x08: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "b"))
                case 0x09: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
                case 0x0A: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
                case 0x0C: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "f"))
                case 0x0D: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
                case 0x20...0x7E: out.append(UInt8(unit))
                default: appendUnicodeEscape(unit, to: &out)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
