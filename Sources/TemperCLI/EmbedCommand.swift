import ArgumentParser
import Foundation
import TemperModels
import TemperTensor
import TemperText

/// `temper embed DIR --text …`: BERT sentence embeddings, mean-pooled as sentence-transformers.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Sentence embeddings from a BERT model folder (mean pooling).",
        discussion: """
        Each text is tokenized with DIR's tokenizer.json ([CLS] … [SEP]), the texts are right-padded into one batch, and each embedding is the mean of the last hidden states over the text's real tokens (sentence-transformers' mean pooling, no normalisation). Prints one line per text (its values, space-separated); --json gives {"dimension": D, "texts": [...], "embeddings": [[...], ...]}.

        Example: temper embed bert/ --text "a locked door" --text "a key" --json
        """)

    @Argument(help: "A BERT model folder with tokenizer.json.") var model: String
    @Option(name: .long, help: "Text to embed (repeat for several).") var text: [String] = []
    @OptionGroup var adapter: AdapterOptions
    @OptionGroup var output: OutputOptions

    struct Result: Encodable {
        var dimension: Int
        var texts: [String]
        var embeddings: [[Float]]
    }

    func validate() throws {
        if text.isEmpty { throw ValidationError("give at least one --text") }
    }

    func run() throws {
        let folder = try InputPath.model(model)
        let loaded = try ModelRegistry.load(folder)
        guard case let .bert(encoder) = loaded else {
            throw ModelError.unsupportedModelType(path: loaded.source.folder.appendingPathComponent("config.json").path,
                                                  modelType: "\(loaded.modelType) (embed needs a BERT encoder)")
        }
        if let adapterURL = try adapter.url() { try LoRAAdapter.load(folder: adapterURL, for: encoder).attach() }
        let tokenizer = try Tokenizer.load(encoder.source.folder.appendingPathComponent("tokenizer.json"))
        let pooled = try noGrad { try encoder.sentenceEmbeddings(text, tokenizer: tokenizer) }
        let dimension = encoder.hiddenSize
        let flat = pooled.toArray()
        let rows = stride(from: 0, to: flat.count, by: dimension).map { Array(flat[$0..<($0 + dimension)]) }
        if output.json { try Output.json(Result(dimension: dimension, texts: text, embeddings: rows)); return }
        for row in rows { Output.line(row.map { String(format: "%.6f", $0) }.joined(separator: " ")) }
    }
}
