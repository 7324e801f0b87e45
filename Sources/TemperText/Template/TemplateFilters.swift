import Foundation

/// jinja2's builtin filters (those chat templates use), with transformers' `tojson`. The
/// names are checked when a template is compiled, as jinja2 does: an unknown filter fails
/// the whole template, even where it would not run.
enum TemplateFilters {
    static let names: Set<String> = [
        "abs", "attr", "capitalize", "center", "count", "d", "default", "dictsort", "e", "escape", "first", "float",
        "format", "indent", "int", "items", "join", "last", "length", "list", "lower", "map", "max", "min", "reject",
        "rejectattr", "replace", "reverse", "round", "safe", "select", "selectattr", "sort", "string", "sum", "title",
        "tojson", "trim", "unique", "upper", "wordcount",
    ]

    static func replace(_ s: String, _ old: String, _ new: String, count: Int) -> String {
        let h = Array(s.unicodeScalars), n = Array(old.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0, done = 0
        if n.isEmpty {
            for c in h {
                if count < 0 || done < count { out.append(contentsOf: new.unicodeScalars); done += 1 }
                out.append(c)
            }
            if count < 0 || done < count { out.append(contentsOf: new.unicodeScalars) }
            return String(out)
        }
        while i < h.count {
            if (count < 0 || done < count), i + n.count <= h.count, h[i..<(i + n.count)].elementsEqual(n) {
                out.append(contentsOf: new.unicodeScalars)
                i += n.count
                done += 1
            } else {
                out.append(h[i])
                i += 1
            }
        }
        return String(out)
    }

    static func length(_ v: TemplateValue) throws -> Int {
        switch v {
        case .undefined: return 0
        case let .string(s): return s.unicodeScalars.count
        case let .list(items): return items.count
        case let .dict(pairs): return pairs.count
        case let .namespace(ns): return ns.attributes.count
        default: throw TemplateFailure("object of type '\(v.typeName)' has no len()")
        }
    }

    /// A key for case-insensitive sorting and comparison (jinja2's `ignore_case`).
    static func folded(_ v: TemplateValue, caseSensitive: Bool) -> TemplateValue {
        if !caseSensitive, case let .string(s) = v { return .string(TemplateFormat.lower(s)) }
        return v
    }

    static func escapeHTML(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&#34;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    static func indent(_ text: String, _ args: TemplateArguments) throws -> String {
        let indention: String
        switch args.value(0, "width") {
        case nil: indention = "    "
        case let .string(s)?: indention = s
        case let v?:
            guard let n = TemplateOperators.integer(v) else { throw TemplateFailure("indent: width must be an int or a string") }
            indention = String(repeating: " ", count: max(0, n))
        }
        let first = args.value(1, "first")?.truthy ?? false
        let blank = args.value(2, "blank")?.truthy ?? false
        let lines = TemplateFormat.splitlines(text + "\n")
        var rv: String
        if blank {
            rv = lines.joined(separator: "\n" + indention)
        } else {
            rv = lines.first ?? ""
            let rest = lines.dropFirst()
            if !rest.isEmpty { rv += "\n" + rest.map { $0.isEmpty ? $0 : indention + $0 }.joined(separator: "\n") }
        }
        return first ? indention + rv : rv
    }

    static func round(_ v: TemplateValue, _ args: TemplateArguments) throws -> TemplateValue {
        guard let x = TemplateOperators.number(v) else { throw TemplateFailure("round: a number is required, not \(v.typeName)") }
        let precision = args.value(0, "precision").flatMap(TemplateOperators.integer) ?? 0
        let method: String
        if case let .string(m)? = args.value(1, "method") { method = m } else { method = "common" }
        let scale = Foundation.pow(10.0, Double(precision))
        switch method {
        case "common":
            // Python's round(): ties go to the even neighbour.
            let r = (x * scale).rounded(.toNearestOrEven)
            return .double(r / scale)
        case "ceil": return .double((x * scale).rounded(.up) / scale)
        case "floor": return .double((x * scale).rounded(.down) / scale)
        default: throw TemplateFailure("method must be common, ceil or floor")
        }
    }

    static func toInt(_ v: TemplateValue, _ args: TemplateArguments) -> TemplateValue {
        let fallback = args.value(0, "default") ?? .int(0)
        let base = args.value(1, "base").flatMap(TemplateOperators.integer) ?? 10
        switch v {
        case let .int(i): return .int(i)
        case let .bool(b): return .int(b ? 1 : 0)
        case let .double(d): return Int(exactly: d.rounded(.towardZero)).map { .int($0) } ?? fallback
        case let .string(s):
            let t = TemplateFormat.strip(s, nil, leading: true, trailing: true).replacingOccurrences(of: "_", with: "")
            if let i = Int(t, radix: base) { return .int(i) }
            if let d = Double(t), let i = Int(exactly: d.rounded(.towardZero)) { return .int(i) }
            return fallback
        default: return fallback
        }
    }

    static func toFloat(_ v: TemplateValue, _ args: TemplateArguments) -> TemplateValue {
        let fallback = args.value(0, "default") ?? .double(0)
        switch v {
        case let .string(s):
            return Double(TemplateFormat.strip(s, nil, leading: true, trailing: true)).map { .double($0) } ?? fallback
        default: return TemplateOperators.number(v).map { .double($0) } ?? fallback
        }
    }

    static func wordcount(_ s: String) -> Int {
        var count = 0, inWord = false
        for c in s.unicodeScalars {
            let word = c.properties.isAlphabetic || c.properties.numericType != nil || c == "_"
            if word && !inWord { count += 1 }
            inWord = word
        }
        return count
    }
}
