import Foundation
import Testing
@testable import TemperText

/// Every llama.cpp template in Fixtures/text/chat_templates, on every conversation, against
/// transformers' apply_chat_template (expected/NAME.json, written by the fixture script).
@Suite struct ChatTemplateConformanceTests {
    static let folder = FixturePaths.text("chat_templates")

    /// The pinned clock of the fixture script (2026-03-14 15:09:26, local time).
    static let now: @Sendable () -> Date = {
        var c = DateComponents()
        (c.year, c.month, c.day, c.hour, c.minute, c.second) = (2026, 3, 14, 15, 9, 26)
        return Calendar.current.date(from: c) ?? Date(timeIntervalSince1970: 0)
    }

    /// Templates that need what the interpreter does not offer yet, with the reason.
    static let knownGaps = ["ByteDance-Seed-OSS.jinja": "dict literals with integer keys"]

    struct Outcome {
        var matched = 0, knownGapFailures = 0, mismatched: [String] = [], referenceErrors = 0, bothFail = 0, weFailOnly: [String] = [], weRenderOnly: [String] = []
    }

    static func conformance() throws -> Outcome {
        let conversations = try TemplateValue.parseJSON(try Data(contentsOf: folder.appendingPathComponent("conversations.json")), source: "conversations.json")
        var byName: [String: TemplateValue] = [:]
        if case let .list(items) = conversations {
            for item in items { if case let .string(n)? = item.field("name"), let m = item.field("messages") { byName[n] = m } }
        }
        var outcome = Outcome()
        let expectedFolder = folder.appendingPathComponent("expected")
        for file in try FileManager.default.contentsOfDirectory(atPath: expectedFolder.path).sorted() where file.hasSuffix(".json") {
            let expected = try TemplateValue.parseJSON(try Data(contentsOf: expectedFolder.appendingPathComponent(file)), source: file)
            guard case let .string(templateName)? = expected.field("template"), case let .dict(cases)? = expected.field("cases"),
                  case let .dict(special)? = expected.field("special_tokens") else { throw TextError.invalidArgument(name: file, reason: "bad expectation") }
            let text = try String(contentsOf: folder.appendingPathComponent("templates").appendingPathComponent(templateName), encoding: .utf8)
            let tokens = special.map { (name: $0.key, content: $0.value.pythonString) }
            let compiled = Result { try JinjaTemplate(text, source: templateName) }
            for (key, want) in cases {
                let parts = key.split(separator: "/")
                let label = "\(templateName) \(key)"
                let rendered: Result<String, Error> = compiled.flatMap { template in
                    Result { try ChatTemplate(template: template, specialTokens: tokens)
                        .render(messages: byName[String(parts[0])] ?? .list([]), addGenerationPrompt: parts[1] == "gen", now: now) }
                }
                switch (want.field("text"), rendered) {
                case let (.string(t)?, .success(got)):
                    if sameScalars(t, got) { outcome.matched += 1 } else { outcome.mismatched.append(label + "\n--- want\n" + t + "\n--- got\n" + got) }
                case let (.string?, .failure(error)):
                    if knownGaps[templateName] != nil { outcome.knownGapFailures += 1; continue }
                    outcome.weFailOnly.append("\(label): \(error.localizedDescription)")
                case (_, .failure): outcome.referenceErrors += 1; outcome.bothFail += 1
                case (_, .success):
                    outcome.referenceErrors += 1
                    outcome.weRenderOnly.append("\(label): transformers: \(want.field("error")?.pythonString ?? "")")
                }
            }
        }
        return outcome
    }

    @Test func everyTemplateTransformersRendersMatchesByteForByte() throws {
        let o = try Self.conformance()
        let report = "matched \(o.matched), known gaps \(o.knownGapFailures), mismatched \(o.mismatched.count), we fail where transformers renders \(o.weFailOnly.count); transformers fails \(o.referenceErrors) (we fail too: \(o.bothFail))"
        print("chat template conformance: " + report)
        for m in o.weFailOnly.prefix(15) { print("FAIL " + m) }
        for m in o.mismatched.prefix(4) { print("DIFF " + m) }
        #expect(o.mismatched.isEmpty && o.weFailOnly.isEmpty, Comment(rawValue: report))
        #expect(o.matched > 0)
    }
}
