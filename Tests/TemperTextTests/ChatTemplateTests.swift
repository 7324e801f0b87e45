import Foundation
import Testing
@testable import TemperText

/// Where a folder's chat template comes from, the special tokens it sees, and the
/// assistant-turn spans of rendered training rows.
@Suite struct ChatTemplateTests {
    static let chatML = "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
        + "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"

    func folder(_ files: [String: String]) throws -> URL {
        let dir = try FixturePaths.temporaryFolder()
        for (name, text) in files {
            let url = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        return dir
    }

    func render(_ t: ChatTemplate, _ messages: [(String, String)], generation: Bool = false) throws -> String {
        try t.render(messages: .list(messages.map { .dict([("role", .string($0.0)), ("content", .string($0.1))]) }),
                     addGenerationPrompt: generation)
    }

    @Test func jinjaFileWinsOverTokenizerConfig() throws {
        let dir = try folder(["chat_template.jinja": "file:{{ bos_token }}", "tokenizer_config.json": #"{"chat_template": "config", "bos_token": "<s>"}"#])
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try render(try ChatTemplate.load(folder: dir), [("user", "x")]) == "file:<s>")
    }

    @Test func tokenizerConfigStringAndNamedList() throws {
        let config = #"{"chat_template": [{"name": "default", "template": "D{{ eos_token }}"}, {"name": "tool_use", "template": "T"}], "eos_token": {"content": "</s>", "lstrip": false}, "pad_token": null}"#
        let dir = try folder(["tokenizer_config.json": config])
        defer { try? FileManager.default.removeItem(at: dir) }
        let template = try ChatTemplate.load(folder: dir)
        #expect(try render(template, [("user", "x")]) == "D</s>")
        #expect(template.specialTokens.map(\.name) == ["eos_token"])
        #expect(try render(try ChatTemplate.load(folder: dir, name: "tool_use"), [("user", "x")]) == "T")
        #expect(throws: TextError.self) { try ChatTemplate.load(folder: dir, name: "missing") }
    }

    @Test func specialTokensMapFillsGaps() throws {
        let dir = try folder(["chat_template.jinja": "{{ bos_token }}|{{ unk_token }}",
                              "tokenizer_config.json": #"{"bos_token": "<s>"}"#,
                              "special_tokens_map.json": #"{"bos_token": "<other>", "unk_token": {"content": "<unk>"}}"#])
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try render(try ChatTemplate.load(folder: dir), [("user", "x")]) == "<s>|<unk>")
    }

    @Test func noTemplateIsATypedError() throws {
        let dir = try folder(["tokenizer_config.json": "{}"])
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect { try ChatTemplate.load(folder: dir) } throws: { e in
            if case .noChatTemplate? = e as? TextError { return true } else { return false }
        }
    }

    @Test func nullKeysAreDroppedAndReasoningAliased() throws {
        let template = ChatTemplate(template: try JinjaTemplate("{{ messages[0] | tojson }}"), specialTokens: [])
        let message = TemplateValue.dict([("role", .string("assistant")), ("content", .none), ("reasoning", .string("r"))])
        #expect(try template.render(messages: .list([message]), addGenerationPrompt: false)
                == #"{"thinking": "r", "role": "assistant", "reasoning": "r", "reasoning_content": "r"}"#)
    }

    @Test func exampleSpanByDiffingWithTheGenerationPrompt() throws {
        let template = ChatTemplate(template: try JinjaTemplate(Self.chatML), specialTokens: [])
        let example = try template.renderExample(prompt: "Hi", response: "Hello!", system: "Be kind.")
        #expect(example.prefix == "<|im_start|>system\nBe kind.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")
        #expect(example.assistant == "Hello!<|im_end|>\n")
        #expect(example.suffix.isEmpty)
        let scalars = Array(example.text.unicodeScalars)
        #expect(String(String.UnicodeScalarView(scalars[example.assistantScalarRange])) == example.assistant)
    }

    @Test func exampleSpanFromGenerationBlocks() throws {
        let text = "{% for m in messages %}{% if m.role == 'assistant' %}A: {% generation %}{{ m.content }}.{% endgeneration %}\n"
            + "{% else %}U: {{ m.content }}\n{% endif %}{% endfor %}END"
        let template = ChatTemplate(template: try JinjaTemplate(text), specialTokens: [])
        let example = try template.renderExample(prompt: "q", response: "r")
        #expect(example.prefix == "U: q\nA: ")
        #expect(example.assistant == "r.")
        #expect(example.suffix == "END")  // trim_blocks eats the newline after the tag
    }

    @Test func exampleTokensCoverTheTurn() throws {
        let tokenizer = try FixturePaths.tokenizer("wordlevel")
        let template = ChatTemplate(template: try JinjaTemplate("{{ messages[0].content }} {% if add_generation_prompt %}{% endif %}{{ messages[1].content if messages | length > 1 }}"), specialTokens: [])
        let example = try template.renderExample(prompt: "two plus", response: "three")
        let tokens = try template.encodeExample(example, tokenizer: tokenizer)
        #expect(Array(tokens.ids[tokens.assistantTokens]) == (try tokenizer.encode("three", addSpecialTokens: false)))
        #expect(tokens.assistantTokens.upperBound == tokens.ids.count)
    }
}
