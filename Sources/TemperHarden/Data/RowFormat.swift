import Foundation
import TemperModels
import TemperText

/// How a row's prompt and answer become text: a plain template with one `{prompt}` and one
/// `{response}` (nil: `{prompt} {response}` framed by the tokenizer's bos/eos), or the
/// model folder's own chat template (transformers' `apply_chat_template`: a user turn, an
/// optional system turn, the answer as the assistant turn; loss on the assistant turn only).
public enum RowFormat: Sendable {
    case plain(PromptTemplate?)
    case chat(system: String?)

    /// `--template`: `chat`, `plain`, or a format string.
    public static func parse(_ text: String?, system: String? = nil) throws -> RowFormat {
        switch text {
        case nil where system != nil, "chat"?: return .chat(system: system)
        case nil, "plain"?: return .plain(nil)
        case let format?: return .plain(try PromptTemplate(format: format))
        }
    }
}

/// A chat template bound to a tokenizer: examples with labels on the assistant turn (its
/// end-of-turn token included) and generation prompts ending in the template's generation
/// prompt.
struct ChatRows: Sendable {
    let template: ChatTemplate
    let system: String?
    let folder: String

    /// ids, and where the assistant turn's tokens are.
    func encode(prompt: String, answer: String, tokenizer: Tokenizer) throws -> ChatExampleTokens {
        try template.encodeExample(try template.renderExample(prompt: prompt, response: answer, system: system), tokenizer: tokenizer)
    }

    /// The conversation up to where the assistant's answer starts.
    func generationPrompt(_ prompt: String, tokenizer: Tokenizer) throws -> [Int] {
        let example = try template.renderExample(prompt: prompt, response: "", system: system)
        return try tokenizer.encode(example.prefix, addSpecialTokens: false)
    }

    /// An Example cut to `maxLength`, labels on the assistant turn only.
    func example(prompt: String, answer: String, tokenizer: Tokenizer, maxLength: Int) throws -> Example {
        let tokens = try encode(prompt: prompt, answer: answer, tokenizer: tokenizer)
        var ids = try tokens.ids.map { id -> Int32 in
            guard let v = Int32(exactly: id) else { throw HardenError.invalidSetting(name: "token id", value: "\(id)", rule: "must fit in 32 bits") }
            return v
        }
        var labels = [Int32](repeating: Example.ignoreIndex, count: ids.count)
        for i in tokens.assistantTokens where i < ids.count { labels[i] = ids[i] }
        let truncated = ids.count > maxLength
        if truncated { ids.removeLast(ids.count - maxLength); labels.removeLast(labels.count - maxLength) }
        return Example(inputIds: ids, labels: labels, promptLength: min(tokens.assistantTokens.lowerBound, maxLength), truncated: truncated)
    }
}
