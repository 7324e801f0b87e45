import Foundation

/// Python's operators on template values: arithmetic (`bool` counts as `int`, `/` is true
/// division, `//` and `%` floor), comparisons, membership, iteration and slicing.
enum TemplateOperators {
    /// An int (or bool) as Python would use it as an index.
    static func integer(_ v: TemplateValue) -> Int? {
        switch v {
        case let .int(i): return i
        case let .bool(b): return b ? 1 : 0
        default: return nil
        }
    }

    static func number(_ v: TemplateValue) -> Double? {
        switch v {
        case let .int(i): return Double(i)
        case let .bool(b): return b ? 1 : 0
        case let .double(d): return d
        default: return nil
        }
    }

    static func characters(_ s: String) -> [TemplateValue] { s.unicodeScalars.map { .string(String($0)) } }

    /// Items of a list or the one-character strings of a string.
    static func elements(_ v: TemplateValue) -> [TemplateValue] {
        switch v {
        case let .list(items): return items
        case let .string(s): return characters(s)
        default: return []
        }
    }

    /// `for x in v`: list items, dict keys, string characters; Undefined iterates as empty.
    static func iterate(_ v: TemplateValue) throws -> [TemplateValue] {
        switch v {
        case .undefined: return []
        case let .list(items): return items
        case let .dict(pairs): return pairs.map { .string($0.key) }
        case let .string(s): return characters(s)
        case let .namespace(ns): return ns.attributes.map { .string($0.key) }
        default: throw TemplateFailure("'\(v.typeName)' object is not iterable")
        }
    }

    static func negate(_ v: TemplateValue) throws -> TemplateValue {
        switch v {
        case let .int(i):
            guard i != Int.min else { throw TemplateFailure("integer overflow") }
            return .int(-i)
        case let .bool(b): return .int(b ? -1 : 0)
        case let .double(d): return .double(-d)
        case let .undefined(message): throw TemplateFailure(message)
        default: throw TemplateFailure("bad operand type for unary -: '\(v.typeName)'")
        }
    }

    static func arithmetic(_ op: String, _ a: TemplateValue, _ b: TemplateValue) throws -> TemplateValue {
        if case let .undefined(message) = a { throw TemplateFailure(message) }
        if case let .undefined(message) = b { throw TemplateFailure(message) }
        switch (op, a, b) {
        case let ("+", .string(x), .string(y)): return .string(x + y)
        case let ("+", .list(x), .list(y)): return .list(x + y)
        case let ("*", .string(x), _) where integer(b) != nil: return .string(String(repeating: x, count: max(0, integer(b)!)))
        case let ("*", _, .string(y)) where integer(a) != nil: return .string(String(repeating: y, count: max(0, integer(a)!)))
        case let ("*", .list(x), _) where integer(b) != nil:
            return .list(Array([[TemplateValue]](repeating: x, count: max(0, integer(b)!)).joined()))
        case let ("%", .string(format), _): return .string(try TemplateFormat.printf(format, b))
        default: break
        }
        if let x = integer(a), let y = integer(b) { return try integerArithmetic(op, x, y) }
        guard let x = number(a), let y = number(b) else {
            throw TemplateFailure("unsupported operand type(s) for \(op): '\(a.typeName)' and '\(b.typeName)'")
        }
        switch op {
        case "+": return .double(x + y)
        case "-": return .double(x - y)
        case "*": return .double(x * y)
        case "/":
            guard y != 0 else { throw TemplateFailure("float division by zero") }
            return .double(x / y)
        case "//":
            guard y != 0 else { throw TemplateFailure("float floor division by zero") }
            return .double((x / y).rounded(.down))
        case "%":
            guard y != 0 else { throw TemplateFailure("float modulo") }
            let r = x.truncatingRemainder(dividingBy: y)
            return .double(r != 0 && (r < 0) != (y < 0) ? r + y : r)
        case "**": return .double(Foundation.pow(x, y))
        default: throw TemplateFailure("unknown operator \(op)")
        }
    }

    private static func integerArithmetic(_ op: String, _ x: Int, _ y: Int) throws -> TemplateValue {
        func checked(_ r: (partialValue: Int, overflow: Bool)) throws -> TemplateValue {
            guard !r.overflow else { throw TemplateFailure("integer overflow") }
            return .int(r.partialValue)
        }
        switch op {
        case "+": return try checked(x.addingReportingOverflow(y))
        case "-": return try checked(x.subtractingReportingOverflow(y))
        case "*": return try checked(x.multipliedReportingOverflow(by: y))
        case "/":
            guard y != 0 else { throw TemplateFailure("division by zero") }
            return .double(Double(x) / Double(y))
        case "//", "%":
            guard y != 0 else { throw TemplateFailure("integer division or modulo by zero") }
            guard !(x == Int.min && y == -1) else { throw TemplateFailure("integer overflow") }
            var q = x / y, r = x % y
            if r != 0 && (r < 0) != (y < 0) { q -= 1; r += y }
            return .int(op == "//" ? q : r)
        case "**":
            if y < 0 { return .double(Foundation.pow(Double(x), Double(y))) }
            var result = 1, base = x, e = y
            while e > 0 {
                if e & 1 == 1 { result = try checkedInt(result.multipliedReportingOverflow(by: base)) }
                e >>= 1
                if e > 0 { base = try checkedInt(base.multipliedReportingOverflow(by: base)) }
            }
            return .int(result)
        default: throw TemplateFailure("unknown operator \(op)")
        }
    }

    private static func checkedInt(_ r: (partialValue: Int, overflow: Bool)) throws -> Int {
        guard !r.overflow else { throw TemplateFailure("integer overflow") }
        return r.partialValue
    }

    /// Python `==`.
    static func equal(_ a: TemplateValue, _ b: TemplateValue) -> Bool {
        switch (a, b) {
        case (.undefined, .undefined), (.none, .none): return true
        case let (.string(x), .string(y)): return x.unicodeScalars.elementsEqual(y.unicodeScalars)
        case let (.list(x), .list(y)): return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case let (.dict(x), .dict(y)):
            return x.count == y.count && x.allSatisfy { pair in b.dictValue(pair.key).map { equal(pair.value, $0) } ?? false }
        case let (.namespace(x), .namespace(y)): return x === y
        case let (.callable(x), .callable(y)): return x === y
        default:
            if let x = number(a), let y = number(b) { return x == y }
            return false
        }
    }

    /// Python `<`.
    static func less(_ a: TemplateValue, _ b: TemplateValue) throws -> Bool {
        switch (a, b) {
        case let (.string(x), .string(y)): return x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars)
        case let (.list(x), .list(y)):
            for (u, v) in zip(x, y) where !equal(u, v) { return try less(u, v) }
            return x.count < y.count
        default:
            if case let .undefined(message) = a { throw TemplateFailure(message) }
            if case let .undefined(message) = b { throw TemplateFailure(message) }
            if let x = integer(a), let y = integer(b) { return x < y }
            if let x = number(a), let y = number(b) { return x < y }
            throw TemplateFailure("'<' not supported between instances of '\(a.typeName)' and '\(b.typeName)'")
        }
    }

    /// Python `a in b`.
    static func contains(_ container: TemplateValue, _ item: TemplateValue) throws -> Bool {
        switch container {
        case let .string(s):
            guard case let .string(needle) = item else {
                throw TemplateFailure("'in <string>' requires string as left operand, not \(item.typeName)")
            }
            return needle.isEmpty || Array(s.unicodeScalars).firstRange(of: Array(needle.unicodeScalars)) != nil
        case let .dict(pairs):
            guard case let .string(key) = item else { return false }
            return pairs.contains { $0.key.unicodeScalars.elementsEqual(key.unicodeScalars) }
        default:
            return try iterate(container).contains { equal($0, item) }
        }
    }

    static func compare(_ op: String, _ a: TemplateValue, _ b: TemplateValue) throws -> Bool {
        switch op {
        case "==": return equal(a, b)
        case "!=": return !equal(a, b)
        case "<": return try less(a, b)
        case ">": return try less(b, a)
        case "<=": return try !less(b, a)
        case ">=": return try !less(a, b)
        case "in": return try contains(b, a)
        case "notin": return try !contains(b, a)
        default: throw TemplateFailure("unknown comparison \(op)")
        }
    }

    /// `v[start:stop:step]` on a list or string, with Python's clamping of bounds.
    static func slice(_ v: TemplateValue, _ start: TemplateValue?, _ stop: TemplateValue?, _ step: TemplateValue?) throws -> TemplateValue {
        func bound(_ b: TemplateValue?) throws -> Int? {
            guard let b, !b.isNone else { return nil }
            guard let i = integer(b) else { throw TemplateFailure("slice indices must be integers or None") }
            return i
        }
        let items: [TemplateValue]
        switch v {
        case let .list(x): items = x
        case let .string(s): items = characters(s)
        case let .undefined(message): throw TemplateFailure(message)
        default: throw TemplateFailure("'\(v.typeName)' object is not subscriptable")
        }
        let n = items.count
        let stepValue = try bound(step) ?? 1
        guard stepValue != 0 else { throw TemplateFailure("slice step cannot be zero") }
        func clamp(_ i: Int?, _ defaultValue: Int, low: Int, high: Int) -> Int {
            guard var i else { return defaultValue }
            if i < 0 { i += n }
            return min(max(i, low), high)
        }
        var out: [TemplateValue] = []
        if stepValue > 0 {
            var i = clamp(try bound(start), 0, low: 0, high: n)
            let end = clamp(try bound(stop), n, low: 0, high: n)
            while i < end { out.append(items[i]); i += stepValue }
        } else {
            var i = clamp(try bound(start), n - 1, low: -1, high: n - 1)
            let end = clamp(try bound(stop), -1, low: -1, high: n - 1)
            while i > end { out.append(items[i]); i += stepValue }
        }
        if case .string = v { return .string(out.map(\.pythonString).joined()) }
        return .list(out)
    }
}
