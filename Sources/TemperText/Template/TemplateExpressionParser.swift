/// Expressions, with jinja2's precedence from loosest to tightest: `x if c else y`, `or`,
/// `and`, `not`, comparisons (`in`, `not in`, `==` …, chained), `+ -`, `~`, `* / // %`, `**`,
/// unary `- +`, then primaries with postfix `.attr`, `[index]`, `[a:b:c]`, `(call)`, and
/// `| filter` / `is test`.
extension TemplateParser {
    private func expr(_ kind: TemplateExpr.Kind, _ position: TemplatePosition) -> TemplateExpr {
        TemplateExpr(kind: kind, position: position)
    }

    /// An expression, or a tuple (`a, b`) read as a list.
    mutating func parseTuple(withCondition: Bool = true) throws -> TemplateExpr {
        let start = position
        let first = try parseExpression(withCondition: withCondition)
        guard isOp(",") else { return first }
        var items = [first]
        while skipOp(",") {
            if current.kind == .blockEnd || current.kind == .variableEnd || isOp(")") { break }
            items.append(try parseExpression(withCondition: withCondition))
        }
        return expr(.list(items), start)
    }

    mutating func parseExpression(withCondition: Bool = true) throws -> TemplateExpr {
        withCondition ? try parseConditional() : try parseOr()
    }

    private mutating func parseConditional() throws -> TemplateExpr {
        var value = try parseOr()
        while isName("if") {
            let start = position
            advance()
            let test = try parseOr()
            let otherwise = skipName("else") ? try parseConditional() : nil
            value = expr(.conditional(test: test, then: value, otherwise: otherwise), start)
        }
        return value
    }

    private mutating func parseOr() throws -> TemplateExpr {
        var left = try parseAnd()
        while isName("or") {
            let at = position
            advance()
            left = expr(.or(left, try parseAnd()), at)
        }
        return left
    }

    private mutating func parseAnd() throws -> TemplateExpr {
        var left = try parseNot()
        while isName("and") {
            let at = position
            advance()
            left = expr(.and(left, try parseNot()), at)
        }
        return left
    }

    private mutating func parseNot() throws -> TemplateExpr {
        if isName("not") {
            let at = position
            advance()
            return expr(.not(try parseNot()), at)
        }
        return try parseCompare()
    }

    private mutating func parseCompare() throws -> TemplateExpr {
        let start = position
        let left = try parseMath1()
        var ops: [(op: String, rhs: TemplateExpr)] = []
        while true {
            if case let .op(op) = current.kind, ["==", "!=", "<", ">", "<=", ">="].contains(op) {
                advance()
                ops.append((op, try parseMath1()))
            } else if isName("in") {
                advance()
                ops.append(("in", try parseMath1()))
            } else if isName("not"), index + 1 < tokens.count, tokens[index + 1].kind == .name("in") {
                advance()
                advance()
                ops.append(("notin", try parseMath1()))
            } else {
                break
            }
        }
        return ops.isEmpty ? left : expr(.compare(left, ops), start)
    }

    private mutating func parseBinary(_ ops: [String], next: (inout TemplateParser) throws -> TemplateExpr) throws -> TemplateExpr {
        var left = try next(&self)
        while case let .op(op) = current.kind, ops.contains(op) {
            let at = position
            advance()
            left = expr(.binary(op, left, try next(&self)), at)
        }
        return left
    }

    private mutating func parseMath1() throws -> TemplateExpr {
        try parseBinary(["+", "-"]) { try $0.parseConcat() }
    }

    private mutating func parseConcat() throws -> TemplateExpr {
        let start = position
        var items = [try parseMath2()]
        while skipOp("~") { items.append(try parseMath2()) }
        return items.count == 1 ? items[0] : expr(.concat(items), start)
    }

    private mutating func parseMath2() throws -> TemplateExpr {
        try parseBinary(["*", "/", "//", "%"]) { try $0.parsePow() }
    }

    private mutating func parsePow() throws -> TemplateExpr {
        try parseBinary(["**"]) { try $0.parseUnary() }
    }

    private mutating func parseUnary(withFilter: Bool = true) throws -> TemplateExpr {
        let start = position
        var node: TemplateExpr
        if skipOp("-") {
            node = expr(.negate(try parseUnary(withFilter: false)), start)
        } else if skipOp("+") {
            node = expr(.plus(try parseUnary(withFilter: false)), start)
        } else {
            node = try parsePrimary()
        }
        node = try parsePostfix(node)
        if withFilter { node = try parseFilterExpression(node) }
        return node
    }

    private mutating func parsePrimary() throws -> TemplateExpr {
        let token = current
        switch token.kind {
        case let .name(name):
            advance()
            switch name {
            case "true", "True": return expr(.literal(.bool(true)), token.position)
            case "false", "False": return expr(.literal(.bool(false)), token.position)
            case "none", "None": return expr(.literal(.none), token.position)
            default: return expr(.name(name), token.position)
            }
        case var .string(text):
            advance()
            while case let .string(more) = current.kind { text += more; advance() }
            return expr(.literal(.string(text)), token.position)
        case let .integer(i):
            advance()
            return expr(.literal(.int(i)), token.position)
        case let .float(d):
            advance()
            return expr(.literal(.double(d)), token.position)
        case .op("("):
            advance()
            if skipOp(")") { return expr(.list([]), token.position) }
            let inner = try parseTuple()
            try expectOp(")")
            return inner
        case .op("["):
            advance()
            var items: [TemplateExpr] = []
            while !isOp("]") {
                if !items.isEmpty { try expectOp(",") }
                if isOp("]") { break }
                items.append(try parseExpression())
            }
            try expectOp("]")
            return expr(.list(items), token.position)
        case .op("{"):
            advance()
            var pairs: [(key: TemplateExpr, value: TemplateExpr)] = []
            while !isOp("}") {
                if !pairs.isEmpty { try expectOp(",") }
                if isOp("}") { break }
                let key = try parseExpression()
                try expectOp(":")
                pairs.append((key, try parseExpression()))
            }
            try expectOp("}")
            return expr(.dict(pairs), token.position)
        default:
            throw fail("unexpected \(describe(token.kind))")
        }
    }

    private mutating func parsePostfix(_ base: TemplateExpr) throws -> TemplateExpr {
        var node = base
        while true {
            let at = position
            if skipOp(".") {
                switch current.kind {
                case let .name(name):
                    advance()
                    node = expr(.attribute(node, name), node.position)
                case let .integer(i):
                    advance()
                    node = expr(.item(node, expr(.literal(.int(i)), at)), node.position)
                default: throw fail("expected an attribute name after '.'")
                }
            } else if skipOp("[") {
                node = try parseSubscript(node, at: node.position)
            } else if isOp("(") {
                node = expr(.call(node, try parseCallArguments()), node.position)
            } else {
                return node
            }
        }
    }

    private mutating func parseSubscript(_ base: TemplateExpr, at: TemplatePosition) throws -> TemplateExpr {
        var parts: [TemplateExpr?] = []
        var isSlice = false
        var current: TemplateExpr? = nil
        while !isOp("]") {
            if skipOp(":") {
                isSlice = true
                parts.append(current)
                current = nil
                continue
            }
            if current != nil { throw fail("expected ']' or ':'") }
            current = try parseExpression()
            if isOp(",") { throw fail("tuple subscripts are not supported") }
        }
        try expectOp("]")
        parts.append(current)
        guard isSlice else {
            guard let index = parts[0] else { throw fail("expected a subscript", at: at) }
            return expr(.item(base, index), at)
        }
        guard parts.count <= 3 else { throw fail("a slice takes at most three parts", at: at) }
        return expr(.slice(base, start: parts[0], stop: parts.count > 1 ? parts[1] : nil,
                           step: parts.count > 2 ? parts[2] : nil), at)
    }

    mutating func parseCallArguments() throws -> TemplateCallArguments {
        try expectOp("(")
        var arguments = TemplateCallArguments()
        var first = true
        while !isOp(")") {
            if !first { try expectOp(",") }
            first = false
            if isOp(")") { break }
            if isOp("*") || isOp("**") { throw fail("*args and **kwargs in calls are not supported") }
            if case let .name(name) = current.kind, index + 1 < tokens.count, tokens[index + 1].kind == .op("=") {
                advance()
                advance()
                arguments.keyword.append((name, try parseExpression()))
            } else {
                if !arguments.keyword.isEmpty { throw fail("positional argument follows keyword argument") }
                arguments.positional.append(try parseExpression())
            }
        }
        try expectOp(")")
        return arguments
    }

    private mutating func parseFilterExpression(_ base: TemplateExpr) throws -> TemplateExpr {
        var node = base
        while true {
            let at = position
            if skipOp("|") {
                var name = try expectName()
                while skipOp(".") { name += "." + (try expectName()) }
                let arguments = isOp("(") ? try parseCallArguments() : TemplateCallArguments()
                node = expr(.filter(node, name: name, arguments), at)
            } else if isName("is") {
                advance()
                let negated = skipName("not")
                var name = try expectName()
                while skipOp(".") { name += "." + (try expectName()) }
                var arguments = TemplateCallArguments()
                if isOp("(") {
                    arguments = try parseCallArguments()
                } else if startsTestArgument {
                    if isName("is") { throw fail("you cannot chain multiple tests with is") }
                    arguments.positional = [try parsePostfix(try parsePrimary())]
                }
                node = expr(.test(node, name: name, arguments, negated: negated), at)
            } else if isOp("(") {
                node = expr(.call(node, try parseCallArguments()), at)
            } else {
                return node
            }
        }
    }

    /// jinja2 reads one bare argument after a test name when a primary follows (`is divisibleby 3`).
    private var startsTestArgument: Bool {
        switch current.kind {
        case let .name(n): return !["else", "or", "and"].contains(n)
        case .string, .integer, .float, .op("["), .op("{"): return true
        default: return false
        }
    }
}
