/// The parsed form of a template: statements hold expressions; every node keeps the position
/// of its first token so evaluation errors can name the line and column.
struct TemplateExpr {
    indirect enum Kind {
        case literal(TemplateValue)
        case name(String)
        case list([TemplateExpr])
        case dict([(key: TemplateExpr, value: TemplateExpr)])
        case attribute(TemplateExpr, String)
        case item(TemplateExpr, TemplateExpr)
        case slice(TemplateExpr, start: TemplateExpr?, stop: TemplateExpr?, step: TemplateExpr?)
        case call(TemplateExpr, TemplateCallArguments)
        case filter(TemplateExpr, name: String, TemplateCallArguments)
        case test(TemplateExpr, name: String, TemplateCallArguments, negated: Bool)
        case not(TemplateExpr)
        case negate(TemplateExpr)
        case plus(TemplateExpr)
        case binary(String, TemplateExpr, TemplateExpr)
        case and(TemplateExpr, TemplateExpr)
        case or(TemplateExpr, TemplateExpr)
        case concat([TemplateExpr])
        case compare(TemplateExpr, [(op: String, rhs: TemplateExpr)])
        case conditional(test: TemplateExpr, then: TemplateExpr, otherwise: TemplateExpr?)
    }

    var kind: Kind
    var position: TemplatePosition
}

struct TemplateCallArguments {
    var positional: [TemplateExpr] = []
    var keyword: [(name: String, value: TemplateExpr)] = []
}

/// One filter in a chain (`{% filter upper %}`, `{% set x | trim %}`).
struct TemplateFilterCall {
    var name: String
    var arguments: TemplateCallArguments
    var position: TemplatePosition
}

struct TemplateMacro {
    var name: String
    var parameters: [(name: String, defaultValue: TemplateExpr?)]
    var body: [TemplateNode]
}

struct TemplateNode {
    indirect enum Kind {
        case text(String)
        case output(TemplateExpr)
        case forLoop(targets: [String], iterable: TemplateExpr, condition: TemplateExpr?, body: [TemplateNode],
                     otherwise: [TemplateNode])
        case ifChain(branches: [(condition: TemplateExpr, body: [TemplateNode])], otherwise: [TemplateNode])
        case set(targets: [String], value: TemplateExpr)
        case setAttribute(object: String, attribute: String, value: TemplateExpr)
        case setBlock(name: String, filters: [TemplateFilterCall], body: [TemplateNode])
        case macro(TemplateMacro)
        case callBlock(call: TemplateExpr, callerParameters: [(name: String, defaultValue: TemplateExpr?)], body: [TemplateNode])
        case filterBlock(filters: [TemplateFilterCall], body: [TemplateNode])
        case generation(body: [TemplateNode])
        case breakLoop
        case continueLoop
    }

    var kind: Kind
    var position: TemplatePosition
}
