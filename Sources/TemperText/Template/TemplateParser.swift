/// Turns template tokens into statements, following jinja2's parser for the statements chat
/// templates use: `for` (with `else`, loop filter), `if`/`elif`/`else`, `set` (plain, tuple,
/// `ns.attr`, block), `macro`, `call`, `filter`, `generation`, `break`/`continue`.
struct TemplateParser {
    let source: String
    var tokens: [TemplateToken]
    var index = 0

    static func parse(_ text: String, source: String) throws -> [TemplateNode] {
        var parser = TemplateParser(source: source, tokens: try TemplateLexer.tokenize(text, source: source))
        let (nodes, end) = try parser.parseBody(until: [])
        if let end { throw parser.fail("unexpected '\(end)'") }
        return nodes
    }

    init(source: String, tokens: [TemplateToken]) {
        self.source = source
        self.tokens = tokens
        let last = tokens.last?.position ?? TemplatePosition(line: 1, column: 1)
        self.tokens.append(TemplateToken(kind: .end, position: last))
    }

    // MARK: token helpers

    var current: TemplateToken { tokens[index] }
    var position: TemplatePosition { current.position }

    mutating func advance() { if index < tokens.count - 1 { index += 1 } }

    func fail(_ reason: String, at position: TemplatePosition? = nil) -> TextError {
        let p = position ?? self.position
        return .templateSyntax(source: source, line: p.line, column: p.column, reason: reason)
    }

    func isName(_ name: String) -> Bool { current.kind == .name(name) }
    func isOp(_ op: String) -> Bool { current.kind == .op(op) }

    mutating func skipName(_ name: String) -> Bool {
        guard isName(name) else { return false }
        advance()
        return true
    }

    mutating func skipOp(_ op: String) -> Bool {
        guard isOp(op) else { return false }
        advance()
        return true
    }

    mutating func expectOp(_ op: String) throws {
        guard skipOp(op) else { throw fail("expected '\(op)', found \(describe(current.kind))") }
    }

    mutating func expectName() throws -> String {
        guard case let .name(name) = current.kind else { throw fail("expected a name, found \(describe(current.kind))") }
        advance()
        return name
    }

    mutating func expectBlockEnd() throws {
        guard current.kind == .blockEnd else { throw fail("expected the end of the statement block, found \(describe(current.kind))") }
        advance()
    }

    func describe(_ kind: TemplateTokenKind) -> String {
        switch kind {
        case .text: return "template data"
        case .variableBegin: return "'{{'"
        case .variableEnd: return "'}}'"
        case .blockBegin: return "'{%'"
        case .blockEnd: return "'%}'"
        case let .name(n): return "'\(n)'"
        case .string: return "a string"
        case let .integer(i): return "'\(i)'"
        case let .float(d): return "'\(d)'"
        case let .op(o): return "'\(o)'"
        case .end: return "the end of the template"
        }
    }

    // MARK: statements

    /// Nodes up to a block tag whose keyword is in `until`; that keyword is consumed and returned
    /// (the rest of its tag is left to the caller). Nil when the template ended.
    mutating func parseBody(until: Set<String>) throws -> ([TemplateNode], String?) {
        var nodes: [TemplateNode] = []
        while true {
            let token = current
            switch token.kind {
            case .end:
                if !until.isEmpty {
                    throw fail("unexpected end of template, expected " + until.sorted().map { "'\($0)'" }.joined(separator: " or "))
                }
                return (nodes, nil)
            case let .text(text):
                nodes.append(TemplateNode(kind: .text(text), position: token.position))
                advance()
            case .variableBegin:
                advance()
                let expr = try parseTuple()
                guard current.kind == .variableEnd else { throw fail("expected '}}', found \(describe(current.kind))") }
                advance()
                nodes.append(TemplateNode(kind: .output(expr), position: token.position))
            case .blockBegin:
                advance()
                guard case let .name(keyword) = current.kind else { throw fail("expected a statement name, found \(describe(current.kind))") }
                if until.contains(keyword) {
                    advance()
                    return (nodes, keyword)
                }
                nodes.append(try parseStatement(keyword, at: token.position))
            default:
                throw fail("unexpected \(describe(token.kind))")
            }
        }
    }

    private mutating func parseStatement(_ keyword: String, at start: TemplatePosition) throws -> TemplateNode {
        advance()
        switch keyword {
        case "for": return try parseFor(start)
        case "if": return try parseIf(start)
        case "set": return try parseSet(start)
        case "macro": return try parseMacro(start)
        case "call": return try parseCallBlock(start)
        case "filter":
            let filters = try parseFilterChain()
            try expectBlockEnd()
            let body = try parseBlockBody(until: "endfilter")
            return TemplateNode(kind: .filterBlock(filters: filters, body: body), position: start)
        case "generation":
            try expectBlockEnd()
            return TemplateNode(kind: .generation(body: try parseBlockBody(until: "endgeneration")), position: start)
        case "break", "continue":
            try expectBlockEnd()
            return TemplateNode(kind: keyword == "break" ? .breakLoop : .continueLoop, position: start)
        default:
            throw fail("encountered unknown tag '\(keyword)'", at: start)
        }
    }

    private mutating func parseBlockBody(until end: String) throws -> [TemplateNode] {
        let (body, _) = try parseBody(until: [end])
        try expectBlockEnd()
        return body
    }

    private mutating func parseTargets() throws -> [String] {
        let parenthesized = skipOp("(")
        var names = [try expectName()]
        while skipOp(",") {
            if case .name = current.kind { names.append(try expectName()) } else { break }
        }
        if parenthesized { try expectOp(")") }
        return names
    }

    private mutating func parseFor(_ start: TemplatePosition) throws -> TemplateNode {
        let targets = try parseTargets()
        guard skipName("in") else { throw fail("expected 'in', found \(describe(current.kind))") }
        let iterable = try parseTuple(withCondition: false)
        var condition: TemplateExpr?
        if skipName("if") { condition = try parseExpression() }
        if isName("recursive") { throw fail("recursive for loops are not supported") }
        try expectBlockEnd()
        let (body, end) = try parseBody(until: ["endfor", "else"])
        try expectBlockEnd()
        var otherwise: [TemplateNode] = []
        if end == "else" { otherwise = try parseBlockBody(until: "endfor") }
        return TemplateNode(kind: .forLoop(targets: targets, iterable: iterable, condition: condition, body: body,
                                           otherwise: otherwise), position: start)
    }

    private mutating func parseIf(_ start: TemplatePosition) throws -> TemplateNode {
        var branches: [(condition: TemplateExpr, body: [TemplateNode])] = []
        var condition = try parseTuple()
        while true {
            try expectBlockEnd()
            let (body, end) = try parseBody(until: ["elif", "else", "endif"])
            branches.append((condition, body))
            switch end {
            case "elif": condition = try parseTuple()
            case "else":
                try expectBlockEnd()
                let otherwise = try parseBlockBody(until: "endif")
                return TemplateNode(kind: .ifChain(branches: branches, otherwise: otherwise), position: start)
            default:
                try expectBlockEnd()
                return TemplateNode(kind: .ifChain(branches: branches, otherwise: []), position: start)
            }
        }
    }

    private mutating func parseSet(_ start: TemplatePosition) throws -> TemplateNode {
        let first = try expectName()
        if skipOp(".") {
            let attribute = try expectName()
            try expectOp("=")
            let value = try parseTuple()
            try expectBlockEnd()
            return TemplateNode(kind: .setAttribute(object: first, attribute: attribute, value: value), position: start)
        }
        var targets = [first]
        while skipOp(",") { targets.append(try expectName()) }
        if skipOp("=") {
            let value = try parseTuple()
            try expectBlockEnd()
            return TemplateNode(kind: .set(targets: targets, value: value), position: start)
        }
        guard targets.count == 1 else { throw fail("expected '='") }
        var filters: [TemplateFilterCall] = []
        if skipOp("|") { filters = try parseFilterChain() }
        try expectBlockEnd()
        let body = try parseBlockBody(until: "endset")
        return TemplateNode(kind: .setBlock(name: first, filters: filters, body: body), position: start)
    }

    private mutating func parseParameters() throws -> [(name: String, defaultValue: TemplateExpr?)] {
        var parameters: [(name: String, defaultValue: TemplateExpr?)] = []
        try expectOp("(")
        while !isOp(")") {
            if !parameters.isEmpty { try expectOp(",") }
            if isOp(")") { break }
            let name = try expectName()
            let defaultValue = skipOp("=") ? try parseExpression() : nil
            if defaultValue == nil, parameters.last?.defaultValue != nil {
                throw fail("non-default argument '\(name)' follows default argument")
            }
            parameters.append((name, defaultValue))
        }
        try expectOp(")")
        return parameters
    }

    private mutating func parseMacro(_ start: TemplatePosition) throws -> TemplateNode {
        let name = try expectName()
        let parameters = try parseParameters()
        try expectBlockEnd()
        let body = try parseBlockBody(until: "endmacro")
        return TemplateNode(kind: .macro(TemplateMacro(name: name, parameters: parameters, body: body)), position: start)
    }

    private mutating func parseCallBlock(_ start: TemplatePosition) throws -> TemplateNode {
        let callerParameters = isOp("(") ? try parseParameters() : []
        let call = try parseExpression()
        guard case .call = call.kind else { throw fail("expected a call", at: call.position) }
        try expectBlockEnd()
        let body = try parseBlockBody(until: "endcall")
        return TemplateNode(kind: .callBlock(call: call, callerParameters: callerParameters, body: body), position: start)
    }

    /// `name(args) | name …` after `{% filter` or `{% set x |`.
    private mutating func parseFilterChain() throws -> [TemplateFilterCall] {
        var filters: [TemplateFilterCall] = []
        repeat {
            let at = position
            var name = try expectName()
            while skipOp(".") { name += "." + (try expectName()) }
            let arguments = isOp("(") ? try parseCallArguments() : TemplateCallArguments()
            filters.append(TemplateFilterCall(name: name, arguments: arguments, position: at))
        } while skipOp("|")
        return filters
    }
}
