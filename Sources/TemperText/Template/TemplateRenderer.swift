import Foundation

/// A failure inside a filter, test, method or builtin; the renderer adds the template position.
struct TemplateFailure: Error {
    var reason: String
    /// Set by `raise_exception`: the template's own message.
    var raised = false

    init(_ reason: String, raised: Bool = false) {
        self.reason = reason
        self.raised = raised
    }
}

/// Variables of one frame; lookups fall through to the enclosing frame.
final class TemplateScope {
    var variables: [String: TemplateValue] = [:]
    let parent: TemplateScope?

    init(parent: TemplateScope?) { self.parent = parent }

    func lookup(_ name: String) -> TemplateValue? {
        var scope: TemplateScope? = self
        while let s = scope {
            if let v = s.variables[name] { return v }
            scope = s.parent
        }
        return nil
    }
}

/// Runs parsed statements with jinja2's scoping: a `for` body (each iteration) and a macro
/// body are frames of their own, so `set` there does not leak out; `if` shares its frame.
final class TemplateRenderer {
    enum Flow { case normal, breakLoop, continueLoop }

    let source: String
    private(set) var output = ""
    private var outputScalars = 0
    /// Output captured by macros, `set` blocks and `filter` blocks goes to a buffer of its own.
    private var captures: [(text: String, scalars: Int)] = []
    /// Unicode-scalar ranges of top-level output written inside `{% generation %}`.
    private(set) var generationSpans: [Range<Int>] = []

    init(source: String) { self.source = source }

    func fail(_ failure: TemplateFailure, at p: TemplatePosition) -> TextError {
        failure.raised
            ? .templateRaised(source: source, line: p.line, column: p.column, message: failure.reason)
            : .templateRender(source: source, line: p.line, column: p.column, reason: failure.reason)
    }

    func fail(_ reason: String, at p: TemplatePosition) -> TextError { fail(TemplateFailure(reason), at: p) }

    /// Runs `body` and maps a `TemplateFailure` to a positioned error.
    func positioned<T>(_ p: TemplatePosition, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let failure as TemplateFailure { throw fail(failure, at: p) }
    }

    private func write(_ text: String) {
        if captures.isEmpty {
            output += text
            outputScalars += text.unicodeScalars.count
        } else {
            captures[captures.count - 1].text += text
        }
    }

    /// The output of `body` as a string, instead of writing it.
    func capture(_ body: () throws -> Void) throws -> String {
        captures.append(("", 0))
        defer { _ = captures.popLast() }
        try body()
        return captures[captures.count - 1].text
    }

    // MARK: statements

    @discardableResult
    func run(_ nodes: [TemplateNode], _ scope: TemplateScope) throws -> Flow {
        for node in nodes {
            let flow = try run(node, scope)
            if flow != .normal { return flow }
        }
        return .normal
    }

    private func run(_ node: TemplateNode, _ scope: TemplateScope) throws -> Flow {
        switch node.kind {
        case let .text(text): write(text)
        case let .output(expr):
            let value = try evaluate(expr, scope)
            write(value.pythonString)
        case let .ifChain(branches, otherwise):
            for branch in branches where try evaluate(branch.condition, scope).truthy {
                return try run(branch.body, scope)
            }
            return try run(otherwise, scope)
        case let .forLoop(targets, iterable, condition, body, otherwise):
            return try runFor(targets: targets, iterable: iterable, condition: condition, body: body, otherwise: otherwise,
                              scope: scope, at: node.position)
        case let .set(targets, value):
            try assign(targets, try evaluate(value, scope), in: scope, at: node.position)
        case let .setAttribute(object, attribute, value):
            guard case let .namespace(ns)? = scope.lookup(object) else {
                throw fail("cannot assign attribute on non-namespace object", at: node.position)
            }
            if attribute.hasPrefix("_") {
                throw fail("chat templates cannot store underscore-prefixed attributes on a namespace", at: node.position)
            }
            ns[attribute] = try evaluate(value, scope)
        case let .setBlock(name, filters, body):
            var value = TemplateValue.string(try capture { try run(body, TemplateScope(parent: scope)) })
            value = try applyFilters(filters, to: value, scope)
            scope.variables[name] = value
        case let .macro(macro):
            scope.variables[macro.name] = .callable(makeMacro(macro, scope: scope))
        case let .callBlock(call, callerParameters, body):
            guard case let .call(callee, arguments) = call.kind else { return .normal }
            let caller = makeMacro(TemplateMacro(name: "caller", parameters: callerParameters, body: body), scope: scope)
            var args = try evaluateArguments(arguments, scope)
            args.keyword.append(("caller", .callable(caller)))
            let result = try invoke(try evaluate(callee, scope), args, at: call.position)
            write(result.pythonString)
        case let .filterBlock(filters, body):
            let text = try capture { try run(body, scope) }
            write(try applyFilters(filters, to: .string(text), scope).pythonString)
        case let .generation(body):
            let start = outputScalars
            let tracked = captures.isEmpty
            let flow = try run(body, scope)
            if tracked { generationSpans.append(start..<outputScalars) }
            return flow
        case .breakLoop: return .breakLoop
        case .continueLoop: return .continueLoop
        }
        return .normal
    }

    private func applyFilters(_ filters: [TemplateFilterCall], to value: TemplateValue, _ scope: TemplateScope) throws -> TemplateValue {
        var v = value
        for f in filters {
            let args = try evaluateArguments(f.arguments, scope)
            v = try positioned(f.position) { try applyFilter(f.name, v, args) }
        }
        return v
    }

    func assign(_ targets: [String], _ value: TemplateValue, in scope: TemplateScope, at p: TemplatePosition) throws {
        if targets.count == 1 { scope.variables[targets[0]] = value; return }
        let items = try positioned(p) { try TemplateOperators.iterate(value) }
        guard items.count == targets.count else {
            throw fail(items.count > targets.count ? "too many values to unpack (expected \(targets.count))"
                       : "not enough values to unpack (expected \(targets.count), got \(items.count))", at: p)
        }
        for (name, item) in zip(targets, items) { scope.variables[name] = item }
    }

    private func runFor(targets: [String], iterable: TemplateExpr, condition: TemplateExpr?, body: [TemplateNode],
                        otherwise: [TemplateNode], scope: TemplateScope, at p: TemplatePosition) throws -> Flow {
        let collection = try evaluate(iterable, scope)
        var items = try positioned(iterable.position) { try TemplateOperators.iterate(collection) }
        if let condition {
            items = try items.filter { item in
                let frame = TemplateScope(parent: scope)
                try assign(targets, item, in: frame, at: p)
                return try evaluate(condition, frame).truthy
            }
        }
        if items.isEmpty { return try run(otherwise, scope) }
        let count = items.count
        for (i, item) in items.enumerated() {
            let frame = TemplateScope(parent: scope)
            try assign(targets, item, in: frame, at: p)
            frame.variables["loop"] = loopObject(index: i, count: count, items: items)
            let flow = try run(body, frame)
            if flow == .breakLoop { break }
        }
        return .normal
    }

    private func loopObject(index i: Int, count: Int, items: [TemplateValue]) -> TemplateValue {
        let cycle = TemplateCallable(name: "cycle") { args in
            guard !args.positional.isEmpty else { throw TemplateFailure("no items for cycling given") }
            return args.positional[i % args.positional.count]
        }
        return .dict([
            ("index", .int(i + 1)), ("index0", .int(i)), ("revindex", .int(count - i)), ("revindex0", .int(count - i - 1)),
            ("first", .bool(i == 0)), ("last", .bool(i == count - 1)), ("length", .int(count)),
            ("previtem", i > 0 ? items[i - 1] : .undefined("there is no previous item")),
            ("nextitem", i + 1 < count ? items[i + 1] : .undefined("there is no next item")),
            ("depth", .int(1)), ("depth0", .int(0)), ("cycle", .callable(cycle)),
        ])
    }

    /// A macro: arguments bound by position, then by name, then defaults (evaluated at call
    /// time); extra ones land in `varargs` / `kwargs`; a call block's body is `caller`.
    private func makeMacro(_ macro: TemplateMacro, scope: TemplateScope) -> TemplateCallable {
        TemplateCallable(name: macro.name) { [weak self, weak scope] args in
            guard let self, let scope else { throw TemplateFailure("macro '\(macro.name)' called after its template finished") }
            let frame = TemplateScope(parent: scope)
            var keyword = args.keyword
            for (i, parameter) in macro.parameters.enumerated() {
                if i < args.positional.count {
                    frame.variables[parameter.name] = args.positional[i]
                } else if let k = keyword.firstIndex(where: { $0.key == parameter.name }) {
                    frame.variables[parameter.name] = keyword.remove(at: k).value
                } else if let defaultValue = parameter.defaultValue {
                    frame.variables[parameter.name] = try self.evaluate(defaultValue, frame)
                } else {
                    frame.variables[parameter.name] = .undefined("parameter '\(parameter.name)' was not provided")
                }
            }
            if let c = keyword.firstIndex(where: { $0.key == "caller" }) { frame.variables["caller"] = keyword.remove(at: c).value }
            frame.variables["varargs"] = .list(Array(args.positional.dropFirst(macro.parameters.count)))
            frame.variables["kwargs"] = .dict(keyword)
            let text = try self.capture { try self.run(macro.body, frame) }
            return .string(text)
        }
    }

    func invoke(_ callee: TemplateValue, _ args: TemplateArguments, at p: TemplatePosition) throws -> TemplateValue {
        switch callee {
        case let .callable(function): return try positioned(p) { try function.body(args) }
        case let .undefined(message): throw fail(message, at: p)
        default: throw fail("'\(callee.typeName)' object is not callable", at: p)
        }
    }

    func evaluateArguments(_ arguments: TemplateCallArguments, _ scope: TemplateScope) throws -> TemplateArguments {
        TemplateArguments(try arguments.positional.map { try evaluate($0, scope) },
                          keyword: try arguments.keyword.map { ($0.name, try evaluate($0.value, scope)) })
    }
}
