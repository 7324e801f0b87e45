/// Writes `JSONValue`s as exact bytes in the two layouts the signing formats use:
/// - `indented`: Python's `json.dumps(v, indent=2, ensure_ascii=True)` (what protobuf's
///   `MessageToJson` emits for the in-toto statement, and Temper's manifest layout);
/// - `compact`: no whitespace at all, separators "," and ":" (the Sigstore bundle).
/// Strings are escaped as Python's `ensure_ascii` does: `\"`, `\\`, `\n`, `\r`, `\t`,
/// `\b`, `\f`, every other byte outside 0x20...0x7E as `\u00XX` (lowercase hex), and
/// characters beyond U+FFFF as UTF-16 surrogate pairs. "/" is not escaped.
public enum JSONWriter {
    public static func indented(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        write(value, indent: 2, level: 0, into: &out)
        return out
    }

    public static func compact(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        write(value, indent: nil, level: 0, into: &out)
        return out
    }

    private static func write(_ value: JSONValue, indent: Int?, level: Int, into out: inout [UInt8]) {
        switch value {
        case .null: out += Array("null".utf8)
        case .bool(let b): out += Array((b ? "true" : "false").utf8)
        case .number(let n): out += Array(n.utf8)
        case .string(let s): writeString(s, into: &out)
        case .array(let items):
            if items.isEmpty { out += [0x5B, 0x5D]; return }
            out.append(0x5B)
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(0x2C) }
                newline(indent, level + 1, &out)
                write(item, indent: indent, level: level + 1, into: &out)
            }
            newline(indent, level, &out)
            out.append(0x5D)
        case .object(let members):
            if members.isEmpty { out += [0x7B, 0x7D]; return }
            out.append(0x7B)
            for (i, member) in members.enumerated() {
                if i > 0 { out.append(0x2C) }
                newline(indent, level + 1, &out)
                writeString(member.key, into: &out)
                out.append(0x3A)
                if indent != nil { out.append(0x20) }
                write(member.value, indent: indent, level: level + 1, into: &out)
            }
            newline(indent, level, &out)
            out.append(0x7D)
        }
    }

    private static func newline(_ indent: Int?, _ level: Int, _ out: inout [UInt8]) {
        guard let indent else { return }
        out.append(0x0A)
        out += [UInt8](repeating: 0x20, count: indent * level)
    }

    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(0x22)
        for unit in s.utf16 {
            switch unit {
            case 0x22: out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, 0x6E]
            case 0x0D: out += [0x5C, 0x72]
            case 0x09: out += [0x5C, 0x74]
            case 0x08: out += [0x5C, 0x62]
            case 0x0C: out += [0x5C, 0x66]
            case 0x20...0x7E: out.append(UInt8(unit))
            default:
                let hex = Array("0123456789abcdef".utf8)
                out += [0x5C, 0x75, hex[Int(unit >> 12)], hex[Int(unit >> 8 & 15)], hex[Int(unit >> 4 & 15)], hex[Int(unit & 15)]]
            }
        }
        out.append(0x22)
    }
}
