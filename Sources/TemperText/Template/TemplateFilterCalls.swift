import Foundation

/// The filter table: `value | name(args)`, with jinja2's argument names and defaults.
extension TemplateRenderer {
    /// `attribute` as jinja2's `make_attrgetter` reads it: dotted parts, integer parts as indices.
    func attributeGetter(_ attribute: TemplateValue, default fallback: TemplateValue? = nil) -> (TemplateValue) throws -> TemplateValue {
        let parts: [TemplateValue]
        switch attribute {
        case let .string(s): parts = s.split(separator: ".").map { Int($0).map(TemplateValue.int) ?? .string(String($0)) }
        default: parts = [attribute]
        }
        return { [unowned self] item in
            var v = item
            for part in parts {
                v = try self.item(of: v, part)
                if v.isUndefined, let fallback { return fallback }
            }
            return v
        }
    }

    private func string(_ args: TemplateArguments, _ i: Int, _ name: String) throws -> String? {
        switch args.value(i, name) {
        case nil: return nil
        case let .string(s)?: return s
        case let v?: return v.pythonString
        }
    }

    private func sortKey(_ args: TemplateArguments, attributeAt i: Int) -> (TemplateValue) throws -> TemplateValue {
        let caseSensitive = args.value(i - 1, "case_sensitive")?.truthy ?? false
        let getter = args.value(i, "attribute").map { attributeGetter($0) }
        return { v in TemplateFilters.folded(try getter?(v) ?? v, caseSensitive: caseSensitive) }
    }

    /// `select`/`reject`/`selectattr`/`rejectattr`: keep items whose value passes the test.
    private func selecting(_ value: TemplateValue, _ args: TemplateArguments, attribute: Bool, keep: Bool) throws -> TemplateValue {
        var rest = args.positional
        var getter: (TemplateValue) throws -> TemplateValue = { $0 }
        if attribute {
            guard !rest.isEmpty else { throw TemplateFailure("missing parameter for attribute name") }
            getter = attributeGetter(rest.removeFirst())
        }
        var testName: String?
        if !rest.isEmpty {
            guard case let .string(name) = rest.removeFirst() else { throw TemplateFailure("the test name must be a string") }
            guard TemplateTests.names.contains(name) else { throw TemplateFailure("no test named '\(name)'") }
            testName = name
        }
        let testArgs = TemplateArguments(rest, keyword: args.keyword)
        guard value.truthy else { return .list([]) }  // jinja2 reads `if value: for item in value`
        return .list(try TemplateOperators.iterate(value).filter { item in
            let v = try getter(item)
            let passed = try testName.map { try applyTest($0, v, testArgs) } ?? v.truthy
            return passed == keep
        })
    }

    func applyFilter(_ name: String, _ value: TemplateValue, _ args: TemplateArguments) throws -> TemplateValue {
        switch name {
        case "tojson": return .string(try TemplateJSON.dumps(value, try TemplateJSON.options(args)))
        case "trim":
            return .string(TemplateFormat.strip(value.pythonString, try string(args, 0, "chars"), leading: true, trailing: true))
        case "length", "count": return .int(try TemplateFilters.length(value))
        case "string": return value.isUndefined ? .string("") : .string(value.pythonString)
        case "safe": return .string(value.pythonString)
        case "e", "escape": return .string(TemplateFilters.escapeHTML(value.pythonString))
        case "lower": return .string(TemplateFormat.lower(value.pythonString))
        case "upper": return .string(TemplateFormat.upper(value.pythonString))
        case "capitalize": return .string(TemplateFormat.capitalize(value.pythonString))
        case "title": return .string(jinjaTitle(value.pythonString))
        case "replace":
            guard let old = try string(args, 0, "old"), let new = try string(args, 1, "new") else {
                throw TemplateFailure("replace needs old and new")
            }
            let count = args.value(2, "count").flatMap(TemplateOperators.integer) ?? -1
            return .string(TemplateFilters.replace(value.pythonString, old, new, count: count))
        case "d", "default":
            let fallback = args.value(0, "default_value") ?? .string("")
            let boolean = args.value(1, "boolean")?.truthy ?? false
            return value.isUndefined || (boolean && !value.truthy) ? fallback : value
        case "first", "last":
            let items = try TemplateOperators.iterate(value)
            return (name == "first" ? items.first : items.last) ?? .undefined("no \(name) item, sequence was empty")
        case "join":
            var items = try TemplateOperators.iterate(value)
            if let attribute = args.value(1, "attribute") {
                let getter = attributeGetter(attribute)
                items = try items.map(getter)
            }
            return .string(items.map(\.pythonString).joined(separator: try string(args, 0, "d") ?? ""))
        case "list": return .list(try TemplateOperators.iterate(value))
        case "items":
            switch value {
            case .undefined: return .list([])
            case let .dict(pairs): return .list(pairs.map { .list([.string($0.key), $0.value]) })
            default: throw TemplateFailure("can only get item pairs from a mapping")
            }
        case "reverse":
            if case let .string(s) = value { return .string(String(String.UnicodeScalarView(s.unicodeScalars.reversed()))) }
            return .list(try TemplateOperators.iterate(value).reversed())
        case "unique":
            let key = sortKey(args, attributeAt: 1)
            var seen: [TemplateValue] = []
            var out: [TemplateValue] = []
            for item in try TemplateOperators.iterate(value) {
                let k = try key(item)
                if !seen.contains(where: { TemplateOperators.equal($0, k) }) { seen.append(k); out.append(item) }
            }
            return .list(out)
        case "sort":
            let reverse = args.value(0, "reverse")?.truthy ?? false
            let key = sortKey(args, attributeAt: 2)
            let keyed = try TemplateOperators.iterate(value).map { (key: try key($0), item: $0) }
            let sorted = try keyed.sorted { try reverse ? TemplateOperators.less($1.key, $0.key) : TemplateOperators.less($0.key, $1.key) }
            return .list(sorted.map(\.item))
        case "dictsort":
            guard case let .dict(pairs) = value else { throw TemplateFailure("dictsort: expected a mapping, got \(value.typeName)") }
            let caseSensitive = args.value(0, "case_sensitive")?.truthy ?? false
            let byValue = (try string(args, 1, "by")) == "value"
            let reverse = args.value(2, "reverse")?.truthy ?? false
            let sorted = try pairs.sorted { a, b in
                let x = TemplateFilters.folded(byValue ? a.value : .string(a.key), caseSensitive: caseSensitive)
                let y = TemplateFilters.folded(byValue ? b.value : .string(b.key), caseSensitive: caseSensitive)
                return try reverse ? TemplateOperators.less(y, x) : TemplateOperators.less(x, y)
            }
            return .list(sorted.map { .list([.string($0.key), $0.value]) })
        case "min", "max":
            let key = sortKey(args, attributeAt: 1)
            let items = try TemplateOperators.iterate(value)
            guard var best = items.first else { return .undefined("no \(name) item, sequence was empty") }
            for item in items.dropFirst() {
                let better = name == "min" ? try TemplateOperators.less(try key(item), try key(best))
                    : try TemplateOperators.less(try key(best), try key(item))
                if better { best = item }
            }
            return best
        case "sum":
            let getter = args.value(0, "attribute").map { attributeGetter($0) }
            var total = args.value(1, "start") ?? .int(0)
            for item in try TemplateOperators.iterate(value) {
                total = try TemplateOperators.arithmetic("+", total, try getter?(item) ?? item)
            }
            return total
        case "map":
            let items = value.truthy ? try TemplateOperators.iterate(value) : []
            if let attribute = args.keyword.first(where: { $0.key == "attribute" })?.value {
                let getter = attributeGetter(attribute, default: args.keyword.first { $0.key == "default" }?.value)
                return .list(try items.map(getter))
            }
            guard case let .string(filterName)? = args.positional.first else { throw TemplateFailure("map requires a filter name or attribute=") }
            guard TemplateFilters.names.contains(filterName) else { throw TemplateFailure("no filter named '\(filterName)'") }
            let rest = TemplateArguments(Array(args.positional.dropFirst()), keyword: args.keyword)
            return .list(try items.map { try applyFilter(filterName, $0, rest) })
        case "select", "reject": return try selecting(value, args, attribute: false, keep: name == "select")
        case "selectattr", "rejectattr": return try selecting(value, args, attribute: true, keep: name == "selectattr")
        case "attr":
            guard case let .string(attribute)? = args.value(0, "name") else { throw TemplateFailure("attr needs a name") }
            return try self.attribute(of: value, attribute)
        case "indent": return .string(try TemplateFilters.indent(value.pythonString, args))
        case "int": return TemplateFilters.toInt(value, args)
        case "float": return TemplateFilters.toFloat(value, args)
        case "abs":
            switch value {
            case let .int(i) where i != Int.min: return .int(Swift.abs(i))
            case let .bool(b): return .int(b ? 1 : 0)
            case let .double(d): return .double(Swift.abs(d))
            default: throw TemplateFailure("bad operand type for abs(): '\(value.typeName)'")
            }
        case "round": return try TemplateFilters.round(value, args)
        case "wordcount": return .int(TemplateFilters.wordcount(value.pythonString))
        case "center":
            let width = args.value(0, "width").flatMap(TemplateOperators.integer) ?? 80
            let s = value.pythonString
            let pad = max(0, width - s.unicodeScalars.count)
            let left = pad / 2 + (pad & width & 1)
            return .string(String(repeating: " ", count: left) + s + String(repeating: " ", count: pad - left))
        case "format":
            let values: TemplateValue = args.positional.count == 1 ? args.positional[0] : .list(args.positional)
            return .string(try TemplateFormat.printf(value.pythonString, values))
        default: throw TemplateFailure("no filter named '\(name)'")
        }
    }

    /// jinja2's `title` filter: each word (split at whitespace, `-`, brackets) capitalized.
    private func jinjaTitle(_ s: String) -> String {
        var out = ""
        var atWordStart = true
        for c in s.unicodeScalars {
            if TemplateFormat.isSpace(c) || "-({[<".unicodeScalars.contains(c) {
                out.unicodeScalars.append(c)
                atWordStart = true
            } else {
                out += atWordStart ? c.properties.uppercaseMapping : c.properties.lowercaseMapping
                atWordStart = false
            }
        }
        return out
    }
}
