import ArgumentParser
import Foundation
import TemperModels
import TemperText

extension BosPolicy: ExpressibleByArgument {}

/// `temper run DIR --prompt "…"`: text generation with a KV cache, greedy or seeded sampling.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Generate a continuation of a prompt with a decoder model.",
        discussion: """
        The prompt is encoded with DIR's tokenizer.json (its post-processor's special tokens
        included); with --bos auto (the default) Llama and Mistral prompts start with bos as
        their tokenizers and training expect, GPT-2 and Qwen2 prompts get nothing extra.
        --prompt-ids gives the ids directly (folders without a tokenizer).

        Greedy by default; --temperature > 0 samples (with --top-k, --top-p, seeded by
        --seed, so a seed gives the same text every time). Generation stops at the model's
        eos token, after --max-tokens, or at the model's position limit.
        Prints the continuation; --json gives prompt ids, generated ids, text and stop reason.

        Example: temper run world/model --prompt "what is two plus three ?" --max-tokens 16
        """)

    @Argument(help: "A decoder model folder (Llama, Mistral, Qwen2, GPT-2), a llama.cpp .gguf file (dequantized on load), or ORG/NAME[@REV] from the Hugging Face cache.") var model: String
    @Option(name: .long, help: "The prompt text.") var prompt: String?
    @Option(name: .long, help: "The prompt as comma-separated token ids (instead of --prompt).") var promptIds: TokenIdList?
    @Option(name: .long, help: "Most new tokens to generate.") var maxTokens = 32
    @Option(name: .long, help: "0 = greedy; > 0 samples from softmax(logits / T).") var temperature: Float = 0
    @Option(name: .long, help: "Sample from the k most likely tokens only.") var topK: Int?
    @Option(name: .long, help: "Sample from the smallest set of tokens whose probability reaches p.") var topP: Float?
    @Option(name: .long, help: "Seed of the sampler.") var seed: UInt64 = 0
    @Option(name: .long, help: "Start the prompt with bos: auto, always, never.") var bos: BosPolicy = .auto
    @OptionGroup var adapter: AdapterOptions
    @OptionGroup var output: OutputOptions

    struct Result: Encodable {
        var prompt: String?
        var promptIds: [Int]
        var generatedIds: [Int]
        var text: String?
        var stopReason: String

        enum CodingKeys: String, CodingKey {
            case prompt, text
            case promptIds = "prompt_ids", generatedIds = "generated_ids", stopReason = "stop_reason"
        }
    }

    func validate() throws {
        guard (prompt == nil) != (promptIds == nil) else { throw ValidationError("give exactly one of --prompt and --prompt-ids") }
        guard maxTokens >= 0 else { throw ValidationError("--max-tokens must be ≥ 0") }
        guard temperature >= 0, temperature.isFinite else { throw ValidationError("--temperature must be ≥ 0") }
        if let topK, topK < 1 { throw ValidationError("--top-k must be ≥ 1") }
        if let topP, !(topP > 0 && topP <= 1) { throw ValidationError("--top-p must be in (0, 1]") }
        if temperature == 0 && (topK != nil || topP != nil) {
            throw ValidationError("--top-k and --top-p apply to sampling: also give --temperature > 0")
        }
    }

    func run() throws {
        let folder = try InputPath.model(model)
        let decoder = try ModelRegistry.loadCausalLM(folder, adapter: try adapter.url())
        let tokenizerFile = decoder.source.folder.appendingPathComponent("tokenizer.json")
        let tokenizer = FileManager.default.fileExists(atPath: tokenizerFile.path) ? try Tokenizer.load(tokenizerFile) : nil
        let ids: [Int]
        if let promptIds {
            ids = promptIds.ids
        } else if let tokenizer {
            ids = try decoder.promptIds(prompt ?? "", tokenizer: tokenizer, bos: bos)
        } else {
            throw ModelError.invalidInput(reason: "\(tokenizerFile.path): no tokenizer to encode --prompt (use --prompt-ids)")
        }
        let config = GenerationConfig(maxNewTokens: maxTokens, temperature: temperature, topK: topK, topP: topP, seed: seed)
        let result = try decoder.generate(prompt: ids, config: config)
        let text = tokenizer?.decode(result.tokens, skipSpecialTokens: true)
        let reason: String
        switch result.stopReason {
        case .stopToken: reason = "stop_token"
        case .maxTokens: reason = "max_tokens"
        case .contextFull: reason = "context_full"
        }
        if output.json {
            try Output.json(Result(prompt: prompt, promptIds: ids, generatedIds: result.tokens, text: text, stopReason: reason))
            return
        }
        Output.line(text ?? result.tokens.map(String.init).joined(separator: " "))
        Output.progress("run: \(result.tokens.count) tokens, stopped by \(reason.replacingOccurrences(of: "_", with: " "))")
    }
}
