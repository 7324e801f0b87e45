import Foundation

/// `tojson` as transformers defines it: Python's `json.dumps(x, ensure_ascii=False,
/// indent=None, separators=None, sort_keys=False)`, key order kept; and the conversion of
/// the project's JSON values into template values.
enum TemplateJSON {
    struct Options {
        var ensureASCII = false
        /// nil: one line; otherwise newline plus this indent per level.
        var indent: String?
        var itemSeparator: String
        var keySeparator: String
        var sortKeys = false

        init(ensureASCII: Bool = false, indent: String? = nil, separators: (String, String)? = nil, sortKeys: Bool = false) {
            self.ensureASCII = ensureASCII
            self.indent = indent
            self.itemSeparator = separators?.0 ?? (indent == nil ? ", " : ",")
            self.keySeparator = separators?.1 ?? ": "
            self.sortKeys = sortKeys
        }
    }

    /// The `tojson` filter's arguments, read as Python would bind them.
    static func options(_ args: TemplateArguments) throws -> Options {
        let ensureASCII = args.value(0, "ensure_ascii")?.truthy ?? false
        var indent: String?
        switch args.value(1, "indent") {
        case nil, .none?: indent = nil
        case let .int(n)?: indent = String(repeating: " ", count: max(0, n))
        case let .string(s)?: indent = s
        case let other?: throw TemplateFailure("tojson: indent must be an int or a string, not \(other.typeName)")
        }
        var separators: (String, String)?
        switch args.value(2, "separators") {
        case nil, .none?: separators = nil
        case let .list(items)?:
            guard items.count == 2, case let .string(a) = items[0], case let .string(b) = items[1] else {
                throw TemplateFailure("tojson: separators must be a pair of strings")
            }
            separators = (a, b)
        case let other?: throw TemplateFailure("tojson: separators must be a pair of strings, not \(other.typeName)")
        }
        let sortKeys = args.value(3, "sort_keys")?.truthy ?? false
        return Options(ensureASCII: ensureASCII, indent: indent, separators: separators, sortKeys: sortKeys)
    }

    static func dumps(_ value: TemplateValue, _ options: Options) throws -> String {
        var out = ""
        try write(value, options, level: 0, into: &out)
        return out
    }

    private static func write(_ value: TemplateValue, _ o: Options, level: Int, into out: inout String) throws {
        switch value {
        case .none: out += "null"
        case let .bool(b): out += b ? "true" : "false"
        case let .int(i): out += String(i)
        case let .double(d):
            if d.isNaN { out += "NaN" } else if d.isInfinite { out += d < 0 ? "-Infinity" : "Infinity" } else { out += "\(d)" }
        case let .string(s): out += quote(s, ensureASCII: o.ensureASCII)
        case let .list(items):
            guard !items.isEmpty else { out += "[]"; return }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += o.itemSeparator }
                newline(o, level + 1, &out)
                try write(item, o, level: level + 1, into: &out)
            }
            newline(o, level, &out)
            out += "]"
        case let .dict(pairs):
            guard !pairs.isEmpty else { out += "{}"; return }
            let ordered = o.sortKeys
                ? pairs.sorted { $0.key.unicodeScalars.lexicographicallyPrecedes($1.key.unicodeScalars) } : pairs
            out += "{"
            for (i, pair) in ordered.enumerated() {
                if i > 0 { out += o.itemSeparator }
                newline(o, level + 1, &out)
                out += quote(pair.key, ensureASCII: o.ensureASCII) + o.keySeparator
                try write(pair.value, o, level: level + 1, into: &out)
            }
            newline(o, level, &out)
            out += "}"
        case .undefined: throw TemplateFailure("Object of type Undefined is not JSON serializable")
        case .namespace: throw TemplateFailure("Object of type Namespace is not JSON serializable")
        case .callable: throw TemplateFailure("Object of type function is not JSON serializable")
        }
    }

    private static func newline(_ o: Options, _ level: Int, _ out: inout String) {
        guard let indent = o.indent else { return }
        out += "\n" + String(repeating: indent, count: level)
    }

    /// A JSON string as `json.dumps` writes it.
    static func quote(_ s: String, ensureASCII: Bool) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else if ensureASCII && scalar.value > 0x7F {
                    if scalar.value > 0xFFFF {
                        let v = scalar.value - 0x10000
                        out += String(format: "\\u%04x\\u%04x", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF))
                    } else {
                        out += String(format: "\\u%04x", scalar.value)
                    }
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// A parsed JSON value as a template value (objects keep their key order).
    static func value(_ json: JSONValue) -> TemplateValue {
        switch json {
        case .null: return .none
        case let .bool(b): return .bool(b)
        case let .int(i): return .int(i)
        case let .double(d): return .double(d)
        case let .string(s): return .string(s)
        case let .array(items): return .list(items.map(value))
        case let .object(pairs): return .dict(pairs.map { ($0.key, value($0.value)) })
        }
    }
}
