import Foundation

/// Methods reachable as `value.name(...)`: Python's `str` methods, `dict.items/keys/values/get`,
/// `list.index/count`. As in transformers' `ImmutableSandboxedEnvironment`, methods that
/// modify a list or dict (`append`, `pop`, `update` …) are unsafe: using one is an error.
enum TemplateMethods {
    private static let unsafeMutators: Set<String> = [
        "append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse", "update", "setdefault", "popitem",
        "add", "discard", "difference_update", "intersection_update", "symmetric_difference_update",
    ]

    static func method(of object: TemplateValue, _ name: String) -> TemplateValue? {
        if name.hasPrefix("_") { return nil }
        let body: ((TemplateArguments) throws -> TemplateValue)?
        switch object {
        case let .string(s): body = stringMethod(s, name)
        case let .dict(pairs): body = dictMethod(object, pairs, name)
        case let .list(items): body = listMethod(items, name)
        default: body = nil
        }
        if let body { return .callable(TemplateCallable(name: name, body: body)) }
        if case .list = object, unsafeMutators.contains(name) {
            return .undefined("access to attribute '\(name)' of 'list' object is unsafe.")
        }
        if case .dict = object, unsafeMutators.contains(name) {
            return .undefined("access to attribute '\(name)' of 'dict' object is unsafe.")
        }
        return nil
    }

    private static func string(_ args: TemplateArguments, _ i: Int, _ name: String) throws -> String? {
        switch args.value(i, name) {
        case nil, .none?: return nil
        case let .string(s)?: return s
        case let other?: throw TemplateFailure("argument '\(name)' must be str or None, not \(other.typeName)")
        }
    }

    private static func int(_ args: TemplateArguments, _ i: Int, _ name: String, _ defaultValue: Int) throws -> Int {
        guard let v = args.value(i, name) else { return defaultValue }
        guard let n = TemplateOperators.integer(v) else { throw TemplateFailure("argument '\(name)' must be an integer, not \(v.typeName)") }
        return n
    }

    private static func affix(_ s: String, _ args: TemplateArguments, suffix: Bool) throws -> TemplateValue {
        let candidates: [TemplateValue]
        switch args.value(0, "prefix") {
        case let .string(p)?: candidates = [.string(p)]
        case let .list(items)?: candidates = items
        case let other?: throw TemplateFailure("\(suffix ? "endswith" : "startswith") first arg must be str or a tuple of str, not \(other.typeName)")
        case nil: throw TemplateFailure("\(suffix ? "endswith" : "startswith") takes at least 1 argument")
        }
        let scalars = Array(s.unicodeScalars)
        for case let .string(c) in candidates {
            let needle = Array(c.unicodeScalars)
            if suffix ? scalars.suffix(needle.count).elementsEqual(needle) && needle.count <= scalars.count
                : scalars.starts(with: needle) { return .bool(true) }
        }
        return .bool(false)
    }

    private static func find(_ s: String, _ needle: String, fromRight: Bool) -> Int {
        let h = Array(s.unicodeScalars), n = Array(needle.unicodeScalars)
        guard n.count <= h.count else { return -1 }
        let starts = Array(0...(h.count - n.count))
        for i in fromRight ? starts.reversed() : starts where h[i..<(i + n.count)].elementsEqual(n) { return i }
        return -1
    }

    private static func stringMethod(_ s: String, _ name: String) -> ((TemplateArguments) throws -> TemplateValue)? {
        switch name {
        case "startswith": return { try affix(s, $0, suffix: false) }
        case "endswith": return { try affix(s, $0, suffix: true) }
        case "strip": return { .string(TemplateFormat.strip(s, try string($0, 0, "chars"), leading: true, trailing: true)) }
        case "lstrip": return { .string(TemplateFormat.strip(s, try string($0, 0, "chars"), leading: true, trailing: false)) }
        case "rstrip": return { .string(TemplateFormat.strip(s, try string($0, 0, "chars"), leading: false, trailing: true)) }
        case "split", "rsplit":
            return { args in
                .list(try TemplateFormat.split(s, try string(args, 0, "sep"), maxSplit: try int(args, 1, "maxsplit", -1),
                                               fromRight: name == "rsplit").map { .string($0) })
            }
        case "splitlines": return { _ in .list(TemplateFormat.splitlines(s).map { .string($0) }) }
        case "upper": return { _ in .string(TemplateFormat.upper(s)) }
        case "lower": return { _ in .string(TemplateFormat.lower(s)) }
        case "title": return { _ in .string(TemplateFormat.pythonTitle(s)) }
        case "capitalize": return { _ in .string(TemplateFormat.capitalize(s)) }
        case "replace":
            return { args in
                guard let old = try string(args, 0, "old"), let new = try string(args, 1, "new") else {
                    throw TemplateFailure("replace() takes at least 2 arguments")
                }
                return .string(TemplateFilters.replace(s, old, new, count: try int(args, 2, "count", -1)))
            }
        case "find", "rfind", "index", "rindex":
            return { args in
                guard let needle = try string(args, 0, "sub") else { throw TemplateFailure("\(name)() takes at least 1 argument") }
                let at = find(s, needle, fromRight: name.hasPrefix("r"))
                if at < 0, name.hasSuffix("index") { throw TemplateFailure("substring not found") }
                return .int(at)
            }
        case "count":
            return { args in
                guard let needle = try string(args, 0, "sub") else { throw TemplateFailure("count() takes at least 1 argument") }
                if needle.isEmpty { return .int(s.unicodeScalars.count + 1) }
                return .int(try TemplateFormat.split(s, needle, maxSplit: -1, fromRight: false).count - 1)
            }
        case "join":
            return { args in
                guard let v = args.value(0, "iterable") else { throw TemplateFailure("join() takes exactly one argument") }
                let items = try TemplateOperators.iterate(v)
                var parts: [String] = []
                for item in items {
                    guard case let .string(p) = item else { throw TemplateFailure("sequence item: expected str instance, \(item.typeName) found") }
                    parts.append(p)
                }
                return .string(parts.joined(separator: s))
            }
        case "format": return { .string(try TemplateFormat.format(s, $0)) }
        case "removeprefix", "removesuffix":
            return { args in
                guard let a = try string(args, 0, "prefix") else { throw TemplateFailure("\(name)() takes exactly one argument") }
                let h = Array(s.unicodeScalars), n = Array(a.unicodeScalars)
                if name == "removeprefix", h.starts(with: n) { return .string(String(String.UnicodeScalarView(h.dropFirst(n.count)))) }
                if name == "removesuffix", !n.isEmpty, n.count <= h.count, h.suffix(n.count).elementsEqual(n) {
                    return .string(String(String.UnicodeScalarView(h.dropLast(n.count))))
                }
                return .string(s)
            }
        case "isdigit", "isnumeric", "isdecimal":
            return { _ in .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.numericType != nil }) }
        case "isalpha": return { _ in .bool(!s.isEmpty && s.unicodeScalars.allSatisfy(\.properties.isAlphabetic)) }
        case "isalnum":
            return { _ in .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || $0.properties.numericType != nil }) }
        case "isspace": return { _ in .bool(!s.isEmpty && s.unicodeScalars.allSatisfy(TemplateFormat.isSpace)) }
        case "isupper", "islower":
            return { _ in
                let cased = s.unicodeScalars.filter(\.properties.isCased)
                let test: (Unicode.Scalar) -> Bool = name == "isupper" ? { $0.properties.isUppercase } : { $0.properties.isLowercase }
                return .bool(!cased.isEmpty && cased.allSatisfy(test))
            }
        default: return nil
        }
    }

    private static func dictMethod(_ object: TemplateValue, _ pairs: [(key: String, value: TemplateValue)],
                                   _ name: String) -> ((TemplateArguments) throws -> TemplateValue)? {
        switch name {
        case "items": return { _ in .list(pairs.map { .list([.string($0.key), $0.value]) }) }
        case "keys": return { _ in .list(pairs.map { .string($0.key) }) }
        case "values": return { _ in .list(pairs.map(\.value)) }
        case "get":
            return { args in
                guard let key = args.value(0, "key") else { throw TemplateFailure("get expected at least 1 argument, got 0") }
                let fallback = args.value(1, "default") ?? .none
                guard case let .string(k) = key else { return fallback }
                return object.dictValue(k) ?? fallback
            }
        default: return nil
        }
    }

    private static func listMethod(_ items: [TemplateValue], _ name: String) -> ((TemplateArguments) throws -> TemplateValue)? {
        switch name {
        case "index":
            return { args in
                guard let v = args.value(0, "value") else { throw TemplateFailure("index expected at least 1 argument") }
                guard let i = items.firstIndex(where: { TemplateOperators.equal($0, v) }) else {
                    throw TemplateFailure("\(v.pythonRepr) is not in list")
                }
                return .int(i)
            }
        case "count":
            return { args in
                guard let v = args.value(0, "value") else { throw TemplateFailure("count() takes exactly one argument") }
                return .int(items.filter { TemplateOperators.equal($0, v) }.count)
            }
        default: return nil
        }
    }
}
