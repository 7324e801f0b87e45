import Foundation
import Testing
@testable import TemperText

/// The interpreter against jinja2 as transformers configures it: every snippet of
/// Fixtures/text/chat_templates/jinja_cases.json renders to the same text, or fails where
/// jinja2 fails, with the matching kind of error.
@Suite struct JinjaTemplateTests {
    static func cases() throws -> (context: [String: TemplateValue], cases: [TemplateValue]) {
        let url = FixturePaths.text("chat_templates").appendingPathComponent("jinja_cases.json")
        let doc = try TemplateValue.parseJSON(try Data(contentsOf: url), source: url.path)
        guard case let .dict(context)? = doc.field("context"), case let .list(cases)? = doc.field("cases") else {
            throw TextError.invalidArgument(name: "jinja_cases.json", reason: "bad shape")
        }
        var vars: [String: TemplateValue] = [:]
        for pair in context { vars[pair.key] = pair.value }
        return (vars, cases)
    }

    /// Python tuples (from `(a, b)`, `varargs`, `items()`, `dictsort`) print as lists here.
    static let knownDifferences: Set<String> = [
        "{% macro m(a) %}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1, 2, 3, k=4) }}",
        "{{ d | items | list }} {{ d | dictsort }} {{ d | dictsort(by='value', reverse=true) }} {{ d | dictsort(case_sensitive=true) }}",
    ]

    @Test func snippetsRenderAsJinja2() throws {
        let (context, cases) = try Self.cases()
        #expect(cases.count > 70)
        for item in cases {
            guard case let .string(text)? = item.field("template"), !Self.knownDifferences.contains(text) else { continue }
            let result = Result { try JinjaTemplate(text, source: "snippet").render(context) }
            if case let .string(want)? = item.field("output") {
                switch result {
                case let .success(got): #expect(sameScalars(got, want), "\(text)\nwant: \(want)\ngot:  \(got)")
                case let .failure(error): Issue.record("\(text): jinja2 renders \(want.debugDescription), we fail: \(error)")
                }
                continue
            }
            let kind = item.field("error")?.pythonString ?? ""
            switch result {
            case let .success(got): Issue.record("\(text): jinja2 raises \(kind), we render \(got.debugDescription)")
            case let .failure(error):
                switch (kind, error as? TextError) {
                case ("TemplateSyntaxError", .templateSyntax?), ("TemplateAssertionError", .templateSyntax?),
                     ("TemplateError", .templateRaised?):
                    break
                case (_, .templateRender?) where !["TemplateSyntaxError", "TemplateAssertionError", "TemplateError"].contains(kind):
                    break
                default: Issue.record("\(text): jinja2 raises \(kind), we throw \(error)")
                }
            }
        }
    }

    @Test func errorsNameLineAndColumn() throws {
        let source = "line one\n{{ messages[0].content }}\n  {{ missing.attr }}"
        let template = try JinjaTemplate(source, source: "t.jinja")
        #expect(throws: TextError.templateRender(source: "t.jinja", line: 3, column: 6, reason: "'missing' is undefined")) {
            try template.render(["messages": .list([.dict([("content", .string("x"))])])])
        }
        #expect(throws: TextError.templateSyntax(source: "t.jinja", line: 2, column: 9, reason: "unexpected '}'")) {
            try JinjaTemplate("ok\n{{ 1 + %}", source: "t.jinja")
        }
        #expect(throws: TextError.templateRaised(source: "t.jinja", line: 1, column: 17, message: "no system role")) {
            try JinjaTemplate("{% if true %}{{ raise_exception('no system role') }}{% endif %}", source: "t.jinja").render([:])
        }
    }

    @Test func generationBlocksAreTracked() throws {
        let template = try JinjaTemplate("ab{% generation %}cd{% endgeneration %}e{% generation %}f{% endgeneration %}")
        let (text, spans) = try template.renderTracked([:])
        #expect(text == "abcdef")
        #expect(spans == [2..<4, 5..<6])
        #expect(template.hasGenerationBlocks)
    }
}
