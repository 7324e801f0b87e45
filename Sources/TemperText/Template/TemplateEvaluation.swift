import Foundation

/// Expression evaluation with jinja2's lookup rules: `a.b` tries the attribute (a method of
/// the value) before the item, `a['b']` the item before the attribute; a missing name, key or
/// attribute is `Undefined`, and only using an undefined (calling it, reading its attributes,
/// computing with it) is an error.
extension TemplateRenderer {
    func evaluate(_ expr: TemplateExpr, _ scope: TemplateScope) throws -> TemplateValue {
        let p = expr.position
        switch expr.kind {
        case let .literal(value): return value
        case let .name(name): return scope.lookup(name) ?? .undefined("'\(name)' is undefined")
        case let .list(items): return .list(try items.map { try evaluate($0, scope) })
        case let .dict(pairs):
            var out: [(key: String, value: TemplateValue)] = []
            for pair in pairs {
                guard case let .string(key) = try evaluate(pair.key, scope) else {
                    throw fail("only string keys are supported in dict literals", at: pair.key.position)
                }
                let value = try evaluate(pair.value, scope)
                if let i = out.firstIndex(where: { $0.key.unicodeScalars.elementsEqual(key.unicodeScalars) }) {
                    out[i].value = value
                } else {
                    out.append((key, value))
                }
            }
            return .dict(out)
        case let .attribute(base, name):
            return try positioned(p) { try attribute(of: try evaluate(base, scope), name) }
        case let .item(base, index):
            let object = try evaluate(base, scope)
            let key = try evaluate(index, scope)
            return try positioned(p) { try item(of: object, key) }
        case let .slice(base, start, stop, step):
            let object = try evaluate(base, scope)
            let bounds = try [start, stop, step].map { try $0.map { try evaluate($0, scope) } }
            return try positioned(p) { try TemplateOperators.slice(object, bounds[0], bounds[1], bounds[2]) }
        case let .call(callee, arguments):
            let function = try evaluate(callee, scope)
            return try invoke(function, try evaluateArguments(arguments, scope), at: p)
        case let .filter(base, name, arguments):
            let value = try evaluate(base, scope)
            let args = try evaluateArguments(arguments, scope)
            return try positioned(p) { try applyFilter(name, value, args) }
        case let .test(base, name, arguments, negated):
            let value = try evaluate(base, scope)
            let args = try evaluateArguments(arguments, scope)
            let result = try positioned(p) { try applyTest(name, value, args) }
            return .bool(result != negated)
        case let .not(inner): return .bool(!(try evaluate(inner, scope).truthy))
        case let .negate(inner):
            let value = try evaluate(inner, scope)
            return try positioned(p) { try TemplateOperators.negate(value) }
        case let .plus(inner):
            let value = try evaluate(inner, scope)
            return try positioned(p) { try TemplateOperators.arithmetic("+", .int(0), value) }
        case let .binary(op, lhs, rhs):
            let a = try evaluate(lhs, scope)
            let b = try evaluate(rhs, scope)
            return try positioned(p) { try TemplateOperators.arithmetic(op, a, b) }
        case let .and(lhs, rhs):
            let a = try evaluate(lhs, scope)
            return a.truthy ? try evaluate(rhs, scope) : a
        case let .or(lhs, rhs):
            let a = try evaluate(lhs, scope)
            return a.truthy ? a : try evaluate(rhs, scope)
        case let .concat(items):
            var text = ""
            for item in items { text += try evaluate(item, scope).pythonString }
            return .string(text)
        case let .compare(lhs, ops):
            var left = try evaluate(lhs, scope)
            for (op, rhsExpr) in ops {
                let right = try evaluate(rhsExpr, scope)
                let holds = try positioned(rhsExpr.position) { try TemplateOperators.compare(op, left, right) }
                if !holds { return .bool(false) }
                left = right
            }
            return .bool(true)
        case let .conditional(test, then, otherwise):
            if try evaluate(test, scope).truthy { return try evaluate(then, scope) }
            guard let otherwise else { return .undefined("the inline if-expression evaluated to false and no else section was defined") }
            return try evaluate(otherwise, scope)
        }
    }

    /// `obj.name`: a method or namespace attribute first, then the dict item.
    func attribute(of object: TemplateValue, _ name: String) throws -> TemplateValue {
        switch object {
        case let .undefined(message): throw TemplateFailure(message)
        case let .namespace(ns):
            return ns[name] ?? .undefined("'Namespace object' has no attribute '\(name)'")
        case .dict:
            if let method = TemplateMethods.method(of: object, name) { return method }
            return object.dictValue(name) ?? .undefined("'dict object' has no attribute '\(name)'")
        default:
            if let method = TemplateMethods.method(of: object, name) { return method }
            return .undefined("'\(object.typeName) object' has no attribute '\(name)'")
        }
    }

    /// `obj[key]`: the item first, then (for a string key) the attribute.
    func item(of object: TemplateValue, _ key: TemplateValue) throws -> TemplateValue {
        switch (object, key) {
        case let (.undefined(message), _): throw TemplateFailure(message)
        case let (.dict, .string(k)):
            if let v = object.dictValue(k) { return v }
        case (.list, _), (.string, _):
            if let i = TemplateOperators.integer(key) {
                let elements = TemplateOperators.elements(object)
                let index = i < 0 ? elements.count + i : i
                if index >= 0, index < elements.count { return elements[index] }
                return .undefined("'\(object.typeName) object' has no element \(i)")
            }
        default: break
        }
        if case let .string(name) = key { return try attribute(of: object, name) }
        return .undefined("'\(object.typeName) object' has no element \(key.pythonRepr)")
    }
}
