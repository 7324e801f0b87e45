import Foundation

/// A value inside a chat template, with Python's semantics as jinja2 gives them: truthiness,
/// `str()`, equality (`1 == 1.0 == True`), ordering. Dicts keep insertion order; strings are
/// compared and indexed by Unicode scalars, as Python does.
public enum TemplateValue: @unchecked Sendable {
    /// jinja2's default `Undefined`: prints as "", is falsy, iterates as empty; `name` is what was looked up.
    case undefined(String)
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([TemplateValue])
    case dict([(key: String, value: TemplateValue)])
    case namespace(TemplateNamespace)
    case callable(TemplateCallable)

    var isUndefined: Bool { if case .undefined = self { return true } else { return false } }
    var isNone: Bool { if case .none = self { return true } else { return false } }

    /// Python's `bool(x)`.
    var truthy: Bool {
        switch self {
        case .undefined, .none: return false
        case let .bool(b): return b
        case let .int(i): return i != 0
        case let .double(d): return d != 0
        case let .string(s): return !s.isEmpty
        case let .list(items): return !items.isEmpty
        case let .dict(pairs): return !pairs.isEmpty
        case .namespace, .callable: return true
        }
    }

    /// The Python type name, for error messages.
    var typeName: String {
        switch self {
        case .undefined: return "Undefined"
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float"
        case .string: return "str"
        case .list: return "list"
        case .dict: return "dict"
        case .namespace: return "Namespace"
        case .callable: return "function"
        }
    }

    /// The value stored under `key` in a dict (exact scalar comparison), or nil.
    func dictValue(_ key: String) -> TemplateValue? {
        guard case let .dict(pairs) = self else { return nil }
        for pair in pairs where pair.key.unicodeScalars.elementsEqual(key.unicodeScalars) { return pair.value }
        return nil
    }

    /// Python's `str(x)` (`{{ x }}` prints this).
    var pythonString: String {
        switch self {
        case .undefined: return ""
        case let .string(s): return s
        default: return pythonRepr
        }
    }

    /// Python's `repr(x)`.
    var pythonRepr: String {
        switch self {
        case .undefined: return ""
        case .none: return "None"
        case let .bool(b): return b ? "True" : "False"
        case let .int(i): return String(i)
        case let .double(d): return Self.pythonFloatRepr(d)
        case let .string(s): return Self.pythonStringRepr(s)
        case let .list(items): return "[" + items.map(\.pythonRepr).joined(separator: ", ") + "]"
        case let .dict(pairs):
            return "{" + pairs.map { Self.pythonStringRepr($0.key) + ": " + $0.value.pythonRepr }.joined(separator: ", ") + "}"
        case let .namespace(ns):
            return "<Namespace {" + ns.attributes.map { Self.pythonStringRepr($0.key) + ": " + $0.value.pythonRepr }
                .joined(separator: ", ") + "}>"
        case let .callable(c): return "<function \(c.name)>"
        }
    }

    /// `repr(float)`. Swift's shortest round-trip printing uses Python's exact rules (exponent
    /// form below 1e-4 and from 1e16, two-digit signed exponent), so only nan/inf differ.
    static func pythonFloatRepr(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        return "\(d)"
    }

    /// `repr(str)`: single quotes unless the text holds a single quote and no double quote.
    static func pythonStringRepr(_ s: String) -> String {
        let quote: Character = s.contains("'") && !s.contains("\"") ? "\"" : "'"
        var out = String(quote)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if Character(scalar) == quote { out += "\\" + String(quote); continue }
                if scalar.value < 0x20 || scalar.value == 0x7F || (scalar.value >= 0x80 && scalar.value < 0xA0) {
                    out += String(format: "\\x%02x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out.append(quote)
        return out
    }
}

/// `namespace(...)`: the one mutable object templates have (`{% set ns.x = … %}`).
public final class TemplateNamespace: @unchecked Sendable {
    var attributes: [(key: String, value: TemplateValue)]

    init(_ attributes: [(key: String, value: TemplateValue)]) { self.attributes = attributes }

    subscript(name: String) -> TemplateValue? {
        get { attributes.first { $0.key == name }?.value }
        set {
            guard let newValue else { return }
            if let i = attributes.firstIndex(where: { $0.key == name }) { attributes[i].value = newValue } else {
                attributes.append((name, newValue))
            }
        }
    }
}

/// A function a template can call: a builtin (`range`, `raise_exception`), a macro, a bound method.
public final class TemplateCallable: @unchecked Sendable {
    let name: String
    let body: (TemplateArguments) throws -> TemplateValue

    init(name: String, body: @escaping (TemplateArguments) throws -> TemplateValue) {
        self.name = name
        self.body = body
    }
}

/// Positional and keyword arguments of one call, with Python-style lookup by position or name.
struct TemplateArguments {
    var positional: [TemplateValue]
    var keyword: [(key: String, value: TemplateValue)]

    init(_ positional: [TemplateValue] = [], keyword: [(key: String, value: TemplateValue)] = []) {
        self.positional = positional
        self.keyword = keyword
    }

    /// The argument at `index` or named `name`, nil when neither was given.
    func value(_ index: Int, _ name: String) -> TemplateValue? {
        if index < positional.count { return positional[index] }
        return keyword.first { $0.key == name }?.value
    }
}

extension TemplateValue {
    /// The value under `key` when this is a dict.
    public func field(_ key: String) -> TemplateValue? { dictValue(key) }
}
