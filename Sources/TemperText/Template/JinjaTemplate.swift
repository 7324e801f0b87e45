import Foundation

/// A compiled Jinja template as transformers compiles a chat template: jinja2's
/// `ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)` with the
/// `generation` and loop-control extensions, transformers' `tojson`, `raise_exception` and
/// `strftime_now`. Errors name the template line and column.
public struct JinjaTemplate: @unchecked Sendable {
    /// Names the template in errors (a file path, or "chat template").
    public let source: String
    let nodes: [TemplateNode]

    public init(_ text: String, source: String = "chat template") throws {
        self.source = source
        nodes = try TemplateParser.parse(text, source: source)
        try Self.checkNames(nodes, source: source)
    }

    /// The rendered text. `now` is the clock `strftime_now` reads.
    public func render(_ variables: [String: TemplateValue], now: @escaping @Sendable () -> Date = { Date() }) throws -> String {
        try renderTracked(variables, now: now).text
    }

    /// The rendered text and the Unicode-scalar ranges written inside `{% generation %}` blocks.
    public func renderTracked(_ variables: [String: TemplateValue], now: @escaping @Sendable () -> Date = { Date() })
        throws -> (text: String, generationSpans: [Range<Int>]) {
        let globals = TemplateScope(parent: nil)
        globals.variables = TemplateGlobals.all(now: now)
        let context = TemplateScope(parent: globals)
        context.variables = variables
        let top = TemplateScope(parent: context)
        let renderer = TemplateRenderer(source: source)
        try renderer.run(nodes, top)
        return (renderer.output, renderer.generationSpans)
    }

    /// Whether the template has a `{% generation %}` block.
    public var hasGenerationBlocks: Bool { Self.contains(nodes) { if case .generation = $0.kind { return true } else { return false } } }

    private static func contains(_ nodes: [TemplateNode], _ match: (TemplateNode) -> Bool) -> Bool {
        nodes.contains { node in match(node) || children(node).contains { contains($0, match) } }
    }

    private static func children(_ node: TemplateNode) -> [[TemplateNode]] {
        switch node.kind {
        case let .forLoop(_, _, _, body, otherwise): return [body, otherwise]
        case let .ifChain(branches, otherwise): return branches.map(\.body) + [otherwise]
        case let .setBlock(_, _, body), let .callBlock(_, _, body), let .filterBlock(_, body), let .generation(body): return [body]
        case let .macro(m): return [m.body]
        default: return []
        }
    }

    /// jinja2 resolves filter and test names when it compiles: an unknown one fails the whole
    /// template, except inside an `if` (or an inline `x if c else y`), where the error waits
    /// until that code runs; a loop, macro or block body inside starts strict again.
    private static func checkNames(_ nodes: [TemplateNode], source: String, soft: Bool = false) throws {
        func fail(_ what: String, _ name: String, _ p: TemplatePosition) -> TextError {
            .templateSyntax(source: source, line: p.line, column: p.column, reason: "no \(what) named '\(name)'")
        }
        func checkArgs(_ args: TemplateCallArguments, _ soft: Bool) throws {
            for e in args.positional { try check(e, soft) }
            for k in args.keyword { try check(k.value, soft) }
        }
        func check(_ e: TemplateExpr?, _ soft: Bool) throws {
            guard let e else { return }
            switch e.kind {
            case .literal, .name: return
            case let .list(items), let .concat(items): for i in items { try check(i, soft) }
            case let .dict(pairs): for p in pairs { try check(p.key, soft); try check(p.value, soft) }
            case let .attribute(b, _), let .not(b), let .negate(b), let .plus(b): try check(b, soft)
            case let .item(a, b), let .binary(_, a, b), let .and(a, b), let .or(a, b): try check(a, soft); try check(b, soft)
            case let .slice(b, x, y, z): for part in [b, x, y, z] { try check(part, soft) }
            case let .call(b, args): try check(b, soft); try checkArgs(args, soft)
            case let .filter(b, name, args):
                guard soft || TemplateFilters.names.contains(name) else { throw fail("filter", name, e.position) }
                try check(b, soft); try checkArgs(args, soft)
            case let .test(b, name, args, _):
                guard soft || TemplateTests.names.contains(name) else { throw fail("test", name, e.position) }
                try check(b, soft); try checkArgs(args, soft)
            case let .compare(b, ops): try check(b, soft); for op in ops { try check(op.rhs, soft) }
            case let .conditional(t, a, b): try check(t, true); try check(a, true); try check(b, true)
            }
        }
        func checkFilters(_ filters: [TemplateFilterCall]) throws {
            for f in filters {
                guard soft || TemplateFilters.names.contains(f.name) else { throw fail("filter", f.name, f.position) }
                try checkArgs(f.arguments, soft)
            }
        }
        for node in nodes {
            switch node.kind {
            case let .output(e): try check(e, soft)
            case let .forLoop(_, iterable, condition, _, _): try check(iterable, soft); try check(condition, soft)
            case let .ifChain(branches, otherwise):
                for branch in branches { try check(branch.condition, true) }
                for body in branches.map(\.body) + [otherwise] { try checkNames(body, source: source, soft: true) }
                continue
            case let .set(_, value), let .setAttribute(_, _, value): try check(value, soft)
            case let .setBlock(_, filters, _), let .filterBlock(filters, _): try checkFilters(filters)
            case let .macro(m): for p in m.parameters { try check(p.defaultValue, soft) }
            case let .callBlock(call, parameters, _): try check(call, soft); for p in parameters { try check(p.defaultValue, soft) }
            default: break
            }
            for body in children(node) { try checkNames(body, source: source, soft: false) }
        }
    }
}

extension TemplateValue {
    /// A template value from JSON text (objects keep their key order).
    public static func parseJSON(_ data: Data, source: String) throws -> TemplateValue {
        TemplateJSON.value(try JSONParser.parse(data, path: source))
    }

    /// The value as JSON text, as transformers' `tojson` writes it (`json.dumps`, ensure_ascii=False).
    public func jsonText() throws -> String {
        do { return try TemplateJSON.dumps(self, TemplateJSON.Options()) } catch let f as TemplateFailure {
            throw TextError.invalidArgument(name: "value", reason: f.reason)
        }
    }
}
