import Foundation

/// jinja2's builtin tests (`value is name(args)`), checked at compile time like filters.
enum TemplateTests {
    static let names: Set<String> = [
        "boolean", "callable", "defined", "divisibleby", "eq", "equalto", "==", "escaped", "even", "false", "filter",
        "float", "ge", ">=", "gt", "greaterthan", ">", "in", "integer", "iterable", "le", "<=", "lower", "lt", "lessthan",
        "<", "mapping", "ne", "!=", "none", "number", "odd", "sameas", "sequence", "string", "test", "true", "undefined",
        "upper",
    ]
}

extension TemplateRenderer {
    func applyTest(_ name: String, _ value: TemplateValue, _ args: TemplateArguments) throws -> Bool {
        func argument() throws -> TemplateValue {
            guard let a = args.positional.first ?? args.keyword.first?.value else {
                throw TemplateFailure("test '\(name)' needs an argument")
            }
            return a
        }
        switch name {
        case "defined": return !value.isUndefined
        case "undefined": return value.isUndefined
        case "none": return value.isNone
        case "boolean": if case .bool = value { return true } else { return false }
        case "true": if case .bool(true) = value { return true } else { return false }
        case "false": if case .bool(false) = value { return true } else { return false }
        case "string": if case .string = value { return true } else { return false }
        case "mapping": if case .dict = value { return true } else { return false }
        case "number":
            switch value {
            case .int, .double, .bool: return true
            default: return false
            }
        case "integer": if case .int = value { return true } else { return false }
        case "float": if case .double = value { return true } else { return false }
        case "iterable", "sequence":
            switch value {
            case .string, .list, .dict, .undefined: return true
            case .namespace: return name == "iterable"
            default: return false
            }
        case "callable": if case .callable = value { return true } else { return false }
        case "escaped": return false
        case "lower", "upper":
            let s = value.pythonString
            let cased = s.unicodeScalars.filter(\.properties.isCased)
            return !cased.isEmpty && cased.allSatisfy { name == "lower" ? $0.properties.isLowercase : $0.properties.isUppercase }
        case "odd", "even":
            guard let i = TemplateOperators.integer(value) else { throw TemplateFailure("test '\(name)' needs an integer") }
            return (i % 2 != 0) == (name == "odd")
        case "divisibleby":
            guard let i = TemplateOperators.integer(value), let d = TemplateOperators.integer(try argument()), d != 0 else {
                throw TemplateFailure("divisibleby needs integers and a non-zero divisor")
            }
            return i % d == 0
        case "eq", "equalto", "==": return TemplateOperators.equal(value, try argument())
        case "ne", "!=": return !TemplateOperators.equal(value, try argument())
        case "lt", "lessthan", "<": return try TemplateOperators.less(value, try argument())
        case "gt", "greaterthan", ">": return try TemplateOperators.less(try argument(), value)
        case "le", "<=": return try !TemplateOperators.less(try argument(), value)
        case "ge", ">=": return try !TemplateOperators.less(value, try argument())
        case "in": return try TemplateOperators.contains(try argument(), value)
        case "sameas":
            let other = try argument()
            switch (value, other) {
            case (.none, .none): return true
            case let (.bool(a), .bool(b)): return a == b
            case let (.namespace(a), .namespace(b)): return a === b
            default: return false
            }
        case "filter":
            guard case let .string(n) = value else { return false }
            return TemplateFilters.names.contains(n)
        case "test":
            guard case let .string(n) = value else { return false }
            return TemplateTests.names.contains(n)
        default: throw TemplateFailure("no test named '\(name)'")
        }
    }
}
