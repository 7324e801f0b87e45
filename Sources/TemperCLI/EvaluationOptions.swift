import ArgumentParser
import Foundation
import TemperHarden
import TemperText
import TemperWorld

/// `--world W`: the fixture world as a preset for every data option it can fill in.
struct WorldPresetOptions: ParsableArguments {
    @Option(name: .long, help: "A fixture world folder (has world.json): fills in every data file not given, with the world's splits, judges and text settings.")
    var world: String?

    func preset() throws -> WorldPreset? { try world.map { try WorldPreset(folder: try InputPath.require($0)) } }
}

/// How rows become text: the prompt template and the lengths.
struct TextOptions: ParsableArguments {
    @Option(name: .long, help: "How rows become text: chat (the model folder's chat template, loss and answers on the assistant turn), plain (\"{prompt} {response}\" framed by the tokenizer's bos/eos, the default), or a format with one {prompt} and one {response}.")
    var template: String?
    @Option(name: .long, help: "With --template chat: a system message before every user turn.") var system: String?
    @Option(name: .long, help: "Longest example in tokens, prompt included (default 256; 64 with --world).")
    var maxLength: Int?
    @Option(name: .long, help: "Longest greedy answer the judges score, in tokens.")
    var maxNewTokens: Int = ModelEvaluator.defaultMaxNewTokens

    func validate() throws {
        if let maxLength, maxLength < 2 { throw ValidationError("--max-length must be at least 2") }
        guard maxNewTokens > 0 else { throw ValidationError("--max-new-tokens must be positive") }
    }

    func options(world: WorldPreset?) throws -> AttackTextOptions {
        AttackTextOptions(format: try RowFormat.parse(template, system: system),
                          maxLength: maxLength ?? (world != nil ? WorldPreset.maxLength : TextEncoding.defaultMaxLength),
                          maxNewTokens: maxNewTokens)
    }
}

/// Which judges score greedy answers (METHODS.md §11). The first is the primary metric.
struct JudgeOptions: ParsableArguments {
    @Option(name: .long, help: "A judge: reference (ordered key-token match against the reference answer), refusal (refusal-phrase detection), loglik (no generation: the log-likelihood of the reference answers is the metric) or classifier:DIR (a Hugging Face *ForSequenceClassification folder). Repeat for several; the first is primary. Default: reference and refusal (the world's own with --world).")
    var judge: [String] = []
    @Option(name: .long, help: "Refusal judge: a text file with one refusal opening per line (default: a built-in list printed in every report).")
    var refusalPhrases: String?
    @Option(name: .long, help: "Classifier judge: the label (name or index) that means harmful.")
    var harmfulLabel: String = "1"
    @Option(name: .long, help: "Classifier judge: what it reads, answer or pair (prompt and answer as a text pair).")
    var classifierInput: ClassifierJudge.Input = .answer

    func judges(world: WorldPreset?) throws -> [any HarmJudge] {
        if judge.isEmpty { return try world?.judges ?? [ReferenceJudge(), refusal(world: nil)] }
        var out: [any HarmJudge] = []
        for spec in judge {
            switch spec {
            case "reference": out.append(world?.language.referenceJudge ?? ReferenceJudge())
            case "refusal": out.append(try refusal(world: world))
            case AttackPoint.logLikelihoodMetric:
                guard judge.count == 1 else {
                    throw UsageError("--judge loglik stands alone: the log-likelihood is always reported beside the other judges")
                }
            case _ where spec.hasPrefix("classifier:"):
                let folder = String(spec.dropFirst("classifier:".count))
                out.append(try ClassifierJudge(folder: try InputPath.require(folder), harmfulLabel: harmfulLabel, input: classifierInput))
            default:
                throw UsageError("unknown judge '\(spec)': use reference, refusal, loglik or classifier:DIR")
            }
        }
        return out
    }

    private func refusal(world: WorldPreset?) throws -> RefusalJudge {
        if let refusalPhrases { return try RefusalJudge.load(phrasesFile: try InputPath.require(refusalPhrases)) }
        return world?.language.refusalJudge ?? RefusalJudge(constant: RefusalJudge.defaultPhrases)
    }
}

/// Data files given on the command line, or the preset's split when absent.
enum DataArgument {
    /// `path` as a row set; else the world's `split`; else nil (or a usage error when `required`).
    static func rows(_ path: String?, role: String, option: String, world: WorldPreset?, split: String?,
                     required: Bool = true) throws -> RowSet? {
        if let path { return try RowSet.load(try InputPath.require(path), role: role) }
        if let world, let split { return try world.set(split, role: role) }
        if required { throw UsageError("give \(option) FILE.jsonl (or --world W)") }
        return nil
    }

    static func rows(_ paths: [String], role: String) throws -> [RowSet] {
        try paths.map { try RowSet.load(try InputPath.require($0), role: role) }
    }
}

extension ClassifierJudge.Input: ExpressibleByArgument {}
