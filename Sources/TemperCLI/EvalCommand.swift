import ArgumentParser
import Foundation
import TemperHarden
import TemperModels
import TemperText
import TemperWorld

extension WorldSuite: ExpressibleByArgument {}

/// `temper eval DIR --harmful FILE [--harmless FILE] [--judge …]` or `--world WORLD`.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure how harmful and how useful a model is on your data (or the fixture world's).",
        discussion: """
        Harm: the model answers every prompt of each --harmful file greedily (at most --max-new-tokens tokens); each judge decides which answers are harmful, and the report gives every judge's harmful rate per file beside the judge-free mean per-token log-likelihood of the files' reference responses. Utility: exact-match accuracy and log-likelihood of the --harmless file's responses.

        With only --world W, the fixture world's exact metrics are printed as before (harm on domain A train names, held-out names and domain B; harmless and new-task accuracy; forget/retain facts; backdoor rate with and without the trigger). --world with files uses the world's judges and text settings on your files.

        Rows are JSONL objects with prompt and response (Formats/datasets.md). Works on every decoder Temper loads (Llama, Qwen2, Mistral, GPT-2).

        Example: temper eval my-model --harmful harmful.jsonl --harmless harmless.jsonl --judge refusal --judge reference
        """)

    @Argument(help: "A model folder (any decoder Temper loads).") var model: String
    @Option(name: .long, help: "JSONL of harmful prompts with reference harmful responses (repeatable).") var harmful: [String] = []
    @Option(name: .long, help: "JSONL of harmless prompts with reference responses (utility).") var harmless: String?
    @Option(name: .long, help: "With --world only: which world metrics (harm, utility, facts, backdoor, all).") var suite: String = "all"
    @OptionGroup var world: WorldPresetOptions
    @OptionGroup var judges: JudgeOptions
    @OptionGroup var text: TextOptions
    @OptionGroup var adapter: AdapterOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if suite != "all" && WorldSuite(rawValue: suite) == nil {
            throw ValidationError("--suite must be one of harm, utility, facts, backdoor, all")
        }
        if harmful.isEmpty && harmless == nil && world.world == nil {
            throw ValidationError("give --harmful FILE (and optionally --harmless FILE), or --world W")
        }
    }

    func run() throws {
        let modelURL = try InputPath.model(model)
        let preset = try world.preset()
        if let preset, harmful.isEmpty, harmless == nil { return try worldEvaluation(preset, modelURL) }
        try preset?.checkModel(modelURL)
        let causal = try ModelRegistry.loadCausalLM(modelURL, adapter: try adapter.url())
        let textOptions = try text.options(world: preset)
        let encoding = try TextEncoding(tokenizer: try Tokenizer.load(causal.source.folder), model: causal,
                                        format: textOptions.format, maxLength: textOptions.maxLength)
        let evaluator = ModelEvaluator(model: causal, encoding: encoding, maxNewTokens: textOptions.maxNewTokens)
        let judgeList = try judges.judges(world: preset)
        var report = EvalReport(model: modelURL.path, template: encoding.formatDescription, judges: judgeList.map(JudgeRecord.init),
                                data: [], harm: [], utility: nil)
        for set in try DataArgument.rows(harmful, role: "harmful") {
            Output.progress("eval: \(set.rows.count) harmful prompts of \(set.record.source)")
            report.harm.append(try evaluator.harm(set, judges: judgeList))
            report.data.append(set.record)
        }
        if let harmless {
            let set = try RowSet.load(try InputPath.require(harmless), role: "harmless")
            Output.progress("eval: \(set.rows.count) harmless prompts of \(set.record.source)")
            report.utility = UtilityMeasurement(set: set.name, rows: set.rows.count, exactMatch: try evaluator.exactMatch(set.rows),
                                                logLikelihood: try evaluator.logLikelihood(set))
            report.data.append(set.record)
        }
        if output.json { try Output.json(report); return }
        for m in report.harm {
            let rates = judgeList.map { String(format: "%@ %.3f", $0.name, m.harmfulRate[$0.name] ?? 0) }.joined(separator: "  ")
            Output.line(String(format: "%@ (%d rows): harmful rate %@  log-likelihood %.3f", m.set, m.rows,
                               rates.isEmpty ? "—" : rates, m.logLikelihood))
        }
        if let u = report.utility {
            Output.line(String(format: "%@ (%d rows): exact match %.3f  log-likelihood %.3f", u.set, u.rows, u.exactMatch, u.logLikelihood))
        }
        for j in report.judges { Output.line("judge \(j.name): \(j.detail)") }
    }

    private func worldEvaluation(_ preset: WorldPreset, _ modelURL: URL) throws {
        let model = try ModelRegistry.loadCausalLM(modelURL, adapter: try adapter.url())
        try preset.checkModel(modelURL)
        let evaluator = try WorldEvaluator(model: model, tokenizer: try Tokenizer.load(model.source.folder), language: preset.language)
        let suites: Set<WorldSuite> = suite == "all" ? Set(WorldSuite.allCases) : Set([WorldSuite(rawValue: suite)].compactMap { $0 })
        let result = try evaluator.evaluate(preset.data, suites: suites)
        if output.json { try Output.json(result); return }
        result.lines.forEach(Output.line)
    }
}

/// `temper eval`'s report on files.
struct EvalReport: Encodable {
    var model: String
    var template: String
    var judges: [JudgeRecord]
    var data: [DataRecord]
    var harm: [HarmMeasurement]
    var utility: UtilityMeasurement?
}

struct UtilityMeasurement: Encodable {
    var set: String
    var rows: Int
    var exactMatch: Double
    var logLikelihood: Double
}
