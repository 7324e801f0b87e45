import ArgumentParser
import Foundation
import TemperModels
import TemperTensor

/// `temper logits DIR --ids 1,2,3`: the decoder's final logits, for checks against other tools.
struct LogitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logits",
        abstract: "Print a decoder model's final logits for given token ids.",
        discussion: """
        One forward pass (f32, no cache) over the ids as one sequence, exactly as given (no bos is added). --json prints {"ids": [...], "logits": [[...], ...]}, one row of vocab_size logits per position (only the last with --last). Without --json, each position's five largest logits.

        Example: temper logits model/ --ids 1,4,10,20 --json
        """)

    @Argument(help: "A decoder model folder (Llama, Mistral, Qwen2, GPT-2), a llama.cpp .gguf file (dequantized on load), or ORG/NAME[@REV] from the Hugging Face cache.") var model: String
    @Option(name: .long, help: "Comma-separated token ids.") var ids: TokenIdList
    @Flag(name: .long, help: "Only the last position's logits.") var last = false
    @OptionGroup var adapter: AdapterOptions
    @OptionGroup var output: OutputOptions

    struct Result: Encodable {
        var ids: [Int]
        var logits: [[Float]]
    }

    func run() throws {
        let loaded = try ModelRegistry.loadCausalLM(try InputPath.model(model), adapter: try adapter.url())
        try ContextLimit.check(ids.ids.count, "ids", model: loaded)
        let values = try noGrad {
            try loaded.forward(try TokenBatch(ids.ids), options: ForwardOptions(logits: last ? .last : .all)).logits
        }
        guard let values, let vocab = values.shape.last, vocab > 0 else {
            throw ModelError.invalidInput(reason: "the model computed no logits")
        }
        let flat = values.toArray()
        let rows = stride(from: 0, to: flat.count, by: vocab).map { Array(flat[$0..<($0 + vocab)]) }
        if output.json { try Output.json(Result(ids: ids.ids, logits: rows)); return }
        let first = last ? ids.ids.count - 1 : 0
        for (offset, row) in rows.enumerated() {
            let top = row.indices.sorted { row[$0] > row[$1] }.prefix(5)
            let shown = top.map { String(format: "%d:%.4f", $0, row[$0]) }.joined(separator: "  ")
            Output.line("position \(first + offset) (id \(ids.ids[first + offset])): \(shown)")
        }
    }
}
