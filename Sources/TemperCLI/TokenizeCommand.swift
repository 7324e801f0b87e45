import ArgumentParser
import Foundation
import TemperModels
import TemperText

/// `temper tokenize DIR --text …`: ids and tokens from a folder's tokenizer.json.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Encode text with a model folder's tokenizer.json and show ids and tokens.",
        discussion: """
        DIR is a model folder (or a tokenizer.json file); a tokenizer_config.json beside it names the special tokens. A .gguf file (recognised by its magic bytes) is read through the tokenizer.json that `temper convert model.gguf OUT/` would write for it. Ids are those of Hugging Face `tokenizers` with add_special_tokens=True: the tokenizer's post-processor adds its special tokens (BERT's [CLS]/[SEP], Llama's <s>). --no-special leaves them out. `temper run` may also put bos in front for the model (see its help). The texts are one batch, as encode_batch: tokenizer.json's truncation and padding (fixed length or the batch's longest) apply, and --json then gives each text's attention_mask.

        Example: temper tokenize model/ --text "hello world" --text "second" --json
        """)

    @Argument(help: "A model folder with tokenizer.json, the tokenizer.json file, or a .gguf file.") var tokenizer: String
    @Option(name: .long, help: "Text to encode (repeat for several).") var text: [String] = []
    @Flag(name: .long, help: "Leave out the special tokens the post-processor adds.") var noSpecial = false
    @OptionGroup var output: OutputOptions

    struct Encoded: Encodable {
        var text: String
        var ids: [Int]
        var tokens: [String]
        /// Only when tokenizer.json pads (0 marks padding).
        var attentionMask: [Int]?

        enum CodingKeys: String, CodingKey { case text, ids, tokens, attentionMask = "attention_mask" }
    }

    struct Result: Encodable {
        var tokenizer: String
        var encodings: [Encoded]
    }

    func validate() throws {
        if text.isEmpty { throw ValidationError("give at least one --text") }
    }

    func run() throws {
        let loaded = try Tokenizer.load(try ModelLocation.resolve(try InputPath.model(tokenizer), weights: false))
        let batch = try loaded.encodeBatch(text, addSpecialTokens: !noSpecial)
        let encodings = zip(text, batch).map { item, e in
            Encoded(text: item, ids: e.ids, tokens: e.ids.map { loaded.idToToken($0) ?? "<\($0)?>" },
                    attentionMask: loaded.padding == nil ? nil : e.attentionMask)
        }
        if output.json { try Output.json(Result(tokenizer: loaded.source, encodings: encodings)); return }
        for e in encodings {
            Output.line("\(e.ids.count) tokens: \(e.text)")
            Output.line("  ids:    \(e.ids.map(String.init).joined(separator: " "))")
            Output.line("  tokens: \(e.tokens.joined(separator: " "))")
        }
    }
}
