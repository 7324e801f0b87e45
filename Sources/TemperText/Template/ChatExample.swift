import Foundation

/// One (prompt, response) training row rendered through a chat template, with the span of
/// the assistant's turn so the loss can be put on that turn only.
public struct ChatExample: Sendable, Equatable {
    /// The text before the assistant's turn (system, user turn, assistant header).
    public let prefix: String
    /// The assistant's turn as the template writes it (the response, usually with its end-of-turn token).
    public let assistant: String
    /// Whatever the template writes after the turn.
    public let suffix: String

    public var text: String { prefix + assistant + suffix }

    /// The assistant's turn as a range of Unicode scalars in `text` (Python string indices,
    /// as transformers' generation indices count).
    public var assistantScalarRange: Range<Int> {
        let start = prefix.unicodeScalars.count
        return start..<(start + assistant.unicodeScalars.count)
    }
}

/// Token ids of a `ChatExample` and the ids that belong to the assistant's turn.
public struct ChatExampleTokens: Sendable, Equatable {
    public let ids: [Int]
    public let assistantTokens: Range<Int>
}

extension ChatTemplate {
    private func message(_ role: String, _ content: String) -> TemplateValue {
        .dict([("role", .string(role)), ("content", .string(content))])
    }

    /// Renders [system?, user: prompt, assistant: response]. Where the template marks the
    /// assistant's output with `{% generation %}`, those spans are the turn (as transformers'
    /// `return_assistant_tokens_mask`); otherwise the turn is what the full conversation adds
    /// to the prompt rendered with `add_generation_prompt=True`.
    public func renderExample(prompt: String, response: String, system: String? = nil,
                              now: @escaping @Sendable () -> Date = { Date() }) throws -> ChatExample {
        var head: [TemplateValue] = []
        if let system { head.append(message("system", system)) }
        head.append(message("user", prompt))
        let full = TemplateValue.list(head + [message("assistant", response)])
        if template.hasGenerationBlocks {
            let (text, spans) = try template.renderTracked(variables(messages: full, addGenerationPrompt: false), now: now)
            if let first = spans.first(where: { !$0.isEmpty }), let last = spans.last(where: { !$0.isEmpty }) {
                let scalars = Array(text.unicodeScalars)
                func piece(_ r: Range<Int>) -> String { String(String.UnicodeScalarView(scalars[r])) }
                return ChatExample(prefix: piece(0..<first.lowerBound), assistant: piece(first.lowerBound..<last.upperBound),
                                   suffix: piece(last.upperBound..<scalars.count))
            }
        }
        let whole = Array(try render(messages: full, addGenerationPrompt: false, now: now).unicodeScalars)
        for generationPrompt in [true, false] {
            let start = Array(try render(messages: .list(head), addGenerationPrompt: generationPrompt, now: now).unicodeScalars)
            if whole.starts(with: start) {
                return ChatExample(prefix: String(String.UnicodeScalarView(start)),
                                   assistant: String(String.UnicodeScalarView(whole[start.count...])), suffix: "")
            }
        }
        throw TextError.templateRender(source: template.source, line: 1, column: 1,
                                       reason: "the rendered conversation does not start with the rendered prompt, so the assistant's turn cannot be located")
    }

    /// The example's ids (prefix, turn and suffix encoded separately without added special
    /// tokens, so the turn's boundary is exact) and the range of the turn's ids.
    public func encodeExample(_ example: ChatExample, tokenizer: Tokenizer) throws -> ChatExampleTokens {
        let prefix = try tokenizer.encode(example.prefix, addSpecialTokens: false)
        let turn = try tokenizer.encode(example.assistant, addSpecialTokens: false)
        let suffix = example.suffix.isEmpty ? [] : try tokenizer.encode(example.suffix, addSpecialTokens: false)
        return ChatExampleTokens(ids: prefix + turn + suffix, assistantTokens: prefix.count..<(prefix.count + turn.count))
    }
}
