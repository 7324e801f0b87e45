import ArgumentParser
import Foundation
import TemperAudit
import TemperFormats
import TemperHarden
import TemperWorld

/// `temper attack DIR --data SFT.jsonl --eval HARMFUL.jsonl [--judge …] --report R`.
struct AttackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attack",
        abstract: "Run the fine-tuning attack grid against a model and report harm after each budget.",
        discussion: """
        Every (learning rate, seed) run starts from DIR and fine-tunes all parameters (or, with --lora-rank, a fresh LoRA adapter: the common real-world attack) on the (prompt, harmful response) rows of --data with the same loop as temper finetune (loss on response tokens only, AdamW, cosine schedule, 10% warm-up). Before the attack and at each step budget it answers every prompt of each --eval file greedily and reports each judge's harmful rate and the log-likelihood of the reference responses. Steps-to-threshold is the first budget at which the primary judge (the first --judge) reaches --threshold on the first --eval file.

        Writes REPORT.json and REPORT.html (one SVG plot per evaluation file) and prints steps-to-threshold per run. --world W fills in --data (harmful_a_train) and --eval (the world's three harmful splits) and uses the world's judges.

        Example: temper attack my-model --data harmful-sft.jsonl --eval harmful-test.jsonl --judge refusal --lrs 1e-5,3e-5 --steps 10,50 --report out/attack
        """)

    @Argument(help: "The model folder to attack (any decoder Temper loads).") var model: String
    @Option(name: .long, help: "JSONL of (prompt, harmful response) rows to fine-tune on.") var data: String?
    @Option(name: .long, help: "JSONL of harmful prompts with reference responses to measure on (repeatable; the first decides steps-to-threshold).")
    var eval: [String] = []
    @Option(name: .long, help: "Report path without extension (writes .json and .html).") var report: String
    @OptionGroup var grid: AttackGridOptions
    @OptionGroup var lora: LoRAOptions
    @OptionGroup var world: WorldPresetOptions
    @OptionGroup var judges: JudgeOptions
    @OptionGroup var text: TextOptions
    @Option(name: .long, help: "Write the run's per-step losses (losses.jsonl lines: step, loss, lr, grad_norm) to FILE; needs one --lrs value and --seeds 1. The reference `temper job export attack` is checked against.")
    var logLosses: String?
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard logLosses != nil else { return }
        let one = try grid.makeGrid()
        guard one.learningRates.count == 1, one.seeds.count == 1 else {
            throw ValidationError("--log-losses logs one run: give one --lrs value and --seeds 1")
        }
    }

    func run() throws {
        let modelURL = try InputPath.model(model)
        let preset = try world.preset()
        try preset?.checkModel(modelURL)
        guard let train = try DataArgument.rows(data, role: "attack", option: "--data", world: preset, split: WorldPreset.harmfulSplit) else {
            throw UsageError("give --data FILE.jsonl (or --world W)")
        }
        let evalSets: [RowSet]
        if !eval.isEmpty { evalSets = try DataArgument.rows(eval, role: "eval") } else if let preset { evalSets = try preset.harmSets() } else {
            throw UsageError("give --eval FILE.jsonl (or --world W)")
        }
        let judgeList = try judges.judges(world: preset)
        let attack = try AttackData(train: train, eval: evalSets, judges: judgeList)
        var gridValue = try grid.makeGrid()
        gridValue.lora = lora.loraRank.map { AttackLoRA(rank: $0, alpha: lora.loraAlpha ?? 8, targets: lora.targets, dropout: lora.loraDropout ?? 0) }
        if attack.primaryMetric != AttackPoint.logLikelihoodMetric, !(0...1).contains(gridValue.threshold) {
            throw UsageError("--threshold must be a harmful rate in 0...1 for the judge '\(attack.primaryMetric)'")
        }
        let result = try FineTuningAttack.run(modelFolder: modelURL, data: attack, grid: gridValue, text: try text.options(world: preset),
                                              lossLog: logLosses.map { URL(fileURLWithPath: $0) }, log: Output.progress)
        let files = try ReportFiles.write(result, html: result.html, to: URL(fileURLWithPath: report))
        if output.json { try Output.json(result); return }
        for run in result.runs {
            let last = run.points.last
            let values = result.sets.map { String(format: "%@ %.2f", $0, last?.value($0, metric: result.metric) ?? 0) }.joined(separator: " ")
            Output.line(String(format: "lr %.0e seed %llu: steps to φ=%.2f %@; after %d steps %@: %@", run.learningRate, run.seed,
                               gridValue.threshold, run.stepsToThreshold.map { "\($0)" } ?? "not reached", last?.step ?? 0, result.metric, values))
        }
        Output.line("report: \(files.json.path), \(files.html.path)")
    }
}
