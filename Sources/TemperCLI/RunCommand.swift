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
        The prompt is encoded with DIR's tokenizer.json (its post-processor's special tokens included); with --bos auto (the default) Llama and Mistral prompts start with bos as their tokenizers and training expect, GPT-2 and Qwen2 prompts get nothing extra. --prompt-ids gives the ids directly (folders without a tokenizer).

        Greedy by default; --temperature > 0 samples (with --top-k, --top-p, seeded by --seed, so a seed gives the same text every time). Generation stops at the model's eos token, after --max-tokens, or at the model's position limit. Prints the continuation; --json gives prompt ids, generated ids, text, stop reason and timings: load seconds, and the prefill (the one pass over the prompt, which yields the first new token) and decode (every single-token pass after it) token counts, seconds and tokens/s, as llama-bench's pp and tg tests count them. --timings prints the same on stderr. --ignore-eos generates exactly --max-tokens tokens (for benchmarks).

        With --chat "…" (or --messages FILE.json, a list of {"role", "content"} messages, and --system "…" for a system message first) the conversation is rendered with DIR's chat template and its generation prompt, as transformers' apply_chat_template(add_generation_prompt=True) does, encoded without adding special tokens, and generation stops at the end of the assistant's turn: the eos ids of generation_config.json plus the tokenizer's eos token. --stop STRING (repeatable) also stops once the generated text contains STRING. --repetition-penalty P divides the positive logits (and multiplies the negative ones) of every token already in the sequence by P, as transformers' RepetitionPenaltyLogitsProcessor.

        Example: temper run world/model --prompt "what is two plus three ?" --max-tokens 16

        Example: temper run SmolLM2-135M-Instruct/ --chat "What is the capital of France?" --max-tokens 64
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
    @Flag(name: .long, help: "With a .gguf whose matrices are Q8_0: multiply the dequantized f32 weights instead of the Q8_0 blocks (by default inference runs int8 dot products on them, as llama.cpp does; every other type is dequantized either way).") var dequantize = false
    @Option(name: .long, help: "A user message, rendered with the folder's chat template.") var chat: String?
    @Option(name: .long, help: "A JSON file with the conversation (a list of messages) for the chat template.") var messages: String?
    @Option(name: .long, help: "A system message put first in the conversation (with --chat or --messages).") var system: String?
    @Option(name: .long, help: "Penalize tokens already in the sequence (1 = off; transformers' repetition_penalty).") var repetitionPenalty: Float = 1
    @Option(name: .long, help: "Stop once the generated text contains this string (repeatable).") var stop: [String] = []
    @Flag(name: .long, help: "Do not stop at eos tokens: generate --max-tokens tokens (benchmarks).") var ignoreEos = false
    @Flag(name: .long, help: "Print load, prefill and decode times and tokens/s on stderr.") var timings = false
    @OptionGroup var output: OutputOptions

    struct Result: Encodable {
        var prompt: String?
        var promptIds: [Int]
        var generatedIds: [Int]
        var text: String?
        var stopReason: String
        var timings: Timings

        enum CodingKeys: String, CodingKey {
            case prompt, text, timings
            case promptIds = "prompt_ids", generatedIds = "generated_ids", stopReason = "stop_reason"
        }
    }

    struct Timings: Encodable {
        var loadSeconds: Double
        var prefillTokens: Int, prefillSeconds: Double, prefillTokensPerSecond: Double?
        var decodeTokens: Int, decodeSeconds: Double, decodeTokensPerSecond: Double?

        init(load: Double, _ t: GenerationTimings) {
            loadSeconds = load
            (prefillTokens, prefillSeconds, prefillTokensPerSecond) = (t.prefillTokens, t.prefillSeconds, t.prefillTokensPerSecond)
            (decodeTokens, decodeSeconds, decodeTokensPerSecond) = (t.decodeTokens, t.decodeSeconds, t.decodeTokensPerSecond)
        }

        enum CodingKeys: String, CodingKey {
            case loadSeconds = "load_seconds", prefillTokens = "prefill_tokens", prefillSeconds = "prefill_seconds"
            case prefillTokensPerSecond = "prefill_tokens_per_second", decodeTokens = "decode_tokens"
            case decodeSeconds = "decode_seconds", decodeTokensPerSecond = "decode_tokens_per_second"
        }

        var line: String {
            func rate(_ r: Double?) -> String { r.map { String(format: "%.1f tokens/s", $0) } ?? "–" }
            return String(format: "run: load %.3f s; prefill %d tokens in %.3f s (", loadSeconds, prefillTokens, prefillSeconds)
                + rate(prefillTokensPerSecond) + String(format: "); decode %d tokens in %.3f s (", decodeTokens, decodeSeconds)
                + rate(decodeTokensPerSecond) + ")"
        }
    }

    func validate() throws {
        let inputs = [prompt != nil, promptIds != nil, chat != nil, messages != nil].filter { $0 }.count
        guard inputs == 1 else { throw ValidationError("give exactly one of --prompt, --prompt-ids, --chat and --messages") }
        if system != nil && chat == nil && messages == nil { throw ValidationError("--system goes with --chat or --messages") }
        guard repetitionPenalty > 0, repetitionPenalty.isFinite else { throw ValidationError("--repetition-penalty must be > 0") }
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
        let loadStart = ContinuousClock.now
        let decoder = try ModelRegistry.loadCausalLM(folder, adapter: try adapter.url(), int8: !dequantize)
        let loadSeconds = loadStart.secondsElapsed
        let tokenizerFile = decoder.source.folder.appendingPathComponent("tokenizer.json")
        let tokenizer = FileManager.default.fileExists(atPath: tokenizerFile.path) ? try Tokenizer.load(tokenizerFile) : nil
        let ids: [Int]
        var stopTokens: [Int]? = nil
        var promptText = prompt
        if let promptIds {
            ids = promptIds.ids
        } else if let tokenizer {
            if chat != nil || messages != nil {
                let folder = decoder.source.folder
                let rendered = try ChatTemplate.load(folder: folder).render(messages: try conversation(), addGenerationPrompt: true)
                promptText = rendered
                ids = try tokenizer.encode(rendered, addSpecialTokens: false)
                stopTokens = try GenerationConfigFile.chatStopIds(folder: folder, tokenizerEos: tokenizer.eosTokenId,
                                                                  modelEos: decoder.eosTokenIds)
                Output.progress("run: chat prompt of \(ids.count) tokens, stops at ids \(stopTokens ?? [])")
            } else {
                ids = try decoder.promptIds(prompt ?? "", tokenizer: tokenizer, bos: bos)
            }
        } else {
            throw ModelError.invalidInput(reason: "\(tokenizerFile.path): no tokenizer to encode the prompt (use --prompt-ids)")
        }
        // The prompt must fit, and generation stops where the model's positions end.
        var newTokens = maxTokens
        if let limit = try ContextLimit.check(ids.count, "prompt tokens", model: decoder) { newTokens = min(maxTokens, limit - ids.count) }
        let config = GenerationConfig(maxNewTokens: newTokens, temperature: temperature, topK: topK, topP: topP,
                                      stopTokens: ignoreEos ? [] : stopTokens, seed: seed, repetitionPenalty: repetitionPenalty)
        var generated: [Int] = []
        var stoppedByString = false
        let stopStrings = stop
        let result = try decoder.generate(prompt: ids, config: config, onToken: stopStrings.isEmpty ? nil : { token in
            generated.append(token)
            let soFar = tokenizer?.decode(generated, skipSpecialTokens: true) ?? ""
            stoppedByString = stopStrings.contains { soFar.contains($0) }
            return !stoppedByString
        })
        let text = tokenizer?.decode(result.tokens, skipSpecialTokens: true)
        let reason: String
        switch result.stopReason {
        case .stopToken: reason = stoppedByString ? "stop_string" : "stop_token"
        case .maxTokens: reason = newTokens < maxTokens ? "context_full" : "max_tokens"
        case .contextFull: reason = "context_full"
        }
        let times = Timings(load: loadSeconds, result.timings)
        if timings { Output.progress(times.line) }
        if output.json {
            try Output.json(Result(prompt: promptText, promptIds: ids, generatedIds: result.tokens, text: text, stopReason: reason,
                                   timings: times))
            return
        }
        Output.line(text ?? result.tokens.map(String.init).joined(separator: " "))
        Output.progress("run: \(result.tokens.count) tokens, stopped by \(reason.replacingOccurrences(of: "_", with: " "))")
    }

    /// The conversation of --chat / --messages, with --system first.
    private func conversation() throws -> TemplateValue {
        var items: [TemplateValue] = []
        if let system { items.append(.dict([("role", .string("system")), ("content", .string(system))])) }
        if let chat { items.append(.dict([("role", .string("user")), ("content", .string(chat))])) }
        if let messages {
            guard case let .list(loaded) = try ChatMessages.load(try InputPath.require(messages)) else {
                throw TextError.invalidArgument(name: "--messages", reason: "\(messages): expected a JSON list of messages")
            }
            items += loaded
        }
        return .list(items)
    }
}
