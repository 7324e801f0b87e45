import Foundation

/// The globals transformers' environment gives a chat template: jinja2's `range`, `dict`,
/// `namespace`, `cycler`, `joiner`, plus transformers' `raise_exception(message)` and
/// `strftime_now(format)`.
enum TemplateGlobals {
    static func all(now: @escaping @Sendable () -> Date) -> [String: TemplateValue] {
        func function(_ name: String, _ body: @escaping (TemplateArguments) throws -> TemplateValue) -> TemplateValue {
            .callable(TemplateCallable(name: name, body: body))
        }
        return [
            "range": function("range", range),
            "namespace": function("namespace") { args in .namespace(TemplateNamespace(try mapping(args, "namespace"))) },
            "dict": function("dict") { args in .dict(try mapping(args, "dict")) },
            "raise_exception": function("raise_exception") { args in
                throw TemplateFailure(args.positional.first?.pythonString ?? "", raised: true)
            },
            "strftime_now": function("strftime_now") { args in
                guard case let .string(format)? = args.value(0, "format") else { throw TemplateFailure("strftime_now needs a format string") }
                return .string(strftime(format, now()))
            },
            "joiner": function("joiner") { args in
                let separator = args.value(0, "sep")?.pythonString ?? ", "
                let state = TemplateNamespace([("used", .bool(false))])
                return function("joiner") { _ in
                    if state["used"]?.truthy == true { return .string(separator) }
                    state["used"] = .bool(true)
                    return .string("")
                }
            },
        ]
    }

    /// `dict(mapping, **kwargs)` / `namespace(...)`: an optional mapping, then keyword items.
    private static func mapping(_ args: TemplateArguments, _ name: String) throws -> [(key: String, value: TemplateValue)] {
        var pairs: [(key: String, value: TemplateValue)] = []
        if let first = args.positional.first {
            guard case let .dict(p) = first, args.positional.count == 1 else {
                throw TemplateFailure("\(name)() takes at most one mapping argument")
            }
            pairs = p
        }
        for (key, value) in args.keyword {
            if name == "namespace", key.hasPrefix("_") {
                throw TemplateFailure("chat templates cannot store underscore-prefixed attributes on a namespace, but got '\(key)'")
            }
            if let i = pairs.firstIndex(where: { $0.key == key }) { pairs[i].value = value } else { pairs.append((key, value)) }
        }
        return pairs
    }

    private static func range(_ args: TemplateArguments) throws -> TemplateValue {
        let bounds = try args.positional.map { v -> Int in
            guard let i = TemplateOperators.integer(v) else { throw TemplateFailure("'\(v.typeName)' object cannot be interpreted as an integer") }
            return i
        }
        let (start, stop, step): (Int, Int, Int)
        switch bounds.count {
        case 1: (start, stop, step) = (0, bounds[0], 1)
        case 2: (start, stop, step) = (bounds[0], bounds[1], 1)
        case 3: (start, stop, step) = (bounds[0], bounds[1], bounds[2])
        default: throw TemplateFailure("range expected 1 to 3 arguments, got \(bounds.count)")
        }
        guard step != 0 else { throw TemplateFailure("range() arg 3 must not be zero") }
        let span = Double(stop) - Double(start)
        let exact = max(0, (span / Double(step)).rounded(.up))
        guard exact <= 100_000 else { throw TemplateFailure("range too big (sandbox limit is 100000 items)") }
        let count = Int(exact)
        return .list((0..<count).map { .int(start + $0 * step) })
    }

    /// `datetime.now().strftime(format)` in local time.
    static func strftime(_ format: String, _ date: Date) -> String {
        var now = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        localtime_r(&now, &parts)
        var buffer = [CChar](repeating: 0, count: 512)
        let written = Foundation.strftime(&buffer, buffer.count, format, &parts)
        return String(decoding: buffer.prefix(written).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
