import ArgumentParser
import Foundation
import TemperText

/// `temper template …`: chat templates.
struct TemplateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template",
        abstract: "Render a model folder's chat template.",
        subcommands: [TemplateRenderCommand.self])
}

/// `temper template render DIR --messages FILE.json`: the exact text transformers'
/// `apply_chat_template` gives.
struct TemplateRenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render a conversation through a model folder's chat template.",
        discussion: """
        The template is read as transformers reads it: chat_template.jinja, then tokenizer_config.json's chat_template (a string, or a list of named templates; --name picks one). The special tokens (bos_token, eos_token, …) come from tokenizer_config.json. FILE.json holds the messages: a JSON list of {"role": …, "content": …} objects.

        Prints exactly the rendered text (no newline added). --json gives the text and its ids, tokenized with DIR's tokenizer.json without adding special tokens, as apply_chat_template(tokenize=True) does. A template that fails (an undefined value used, raise_exception) names its line and column and exits 65.

        Example: temper template render model/ --messages chat.json --add-generation-prompt
        """)

    @Argument(help: "A model folder with a chat template.") var model: String
    @Option(name: .long, help: "A JSON file with the list of messages.") var messages: String
    @Flag(name: .long, help: "End with the template's prompt for the assistant's turn.") var addGenerationPrompt = false
    @Option(name: .long, help: "The name of the template when the folder has several.") var name: String?
    @OptionGroup var output: OutputOptions

    struct Result: Encodable {
        var text: String
        var ids: [Int]?
    }

    func run() throws {
        let folder = try InputPath.require(model)
        let template = try ChatTemplate.load(folder: folder, name: name)
        let conversation = try ChatMessages.load(try InputPath.require(messages))
        let text = try template.render(messages: conversation, addGenerationPrompt: addGenerationPrompt)
        guard output.json else {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        let tokenizerFile = folder.appendingPathComponent("tokenizer.json")
        let ids = FileManager.default.fileExists(atPath: tokenizerFile.path)
            ? try Tokenizer.load(tokenizerFile).encode(text, addSpecialTokens: false) : nil
        if ids == nil { Output.progress("template: \(tokenizerFile.path) not found, no ids") }
        try Output.json(Result(text: text, ids: ids))
    }
}

/// Messages from a JSON file: a list of message objects, or `{"messages": [...]}`.
enum ChatMessages {
    static func load(_ url: URL) throws -> TemplateValue {
        let data = try TextFile.read(url, limit: 1 << 26)
        let value = try TemplateValue.parseJSON(data, source: url.path)
        if case .dict = value, let inner = value.field("messages") { return inner }
        return value
    }
}
