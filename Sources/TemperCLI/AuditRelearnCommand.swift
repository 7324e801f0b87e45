import ArgumentParser
import Foundation
import TemperAudit
import TemperFormats
import TemperHarden
import TemperWorld

/// `temper audit relearn --base B --unlearned U --forget FILE --retain FILE --report R`.
struct AuditRelearnCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relearn",
        abstract: "Relearning attacks on an unlearned model: how much forgotten knowledge a little fine-tuning brings back.",
        discussion: """
        Splits --forget once (a seeded shuffle, --relearn-fraction of the rows to train on, the rest held out), then fine-tunes the unlearned model U with the same loop as temper attack (response-only SFT, AdamW, cosine, 10% warm-up), every (learning rate, seed) from U: once on the forget part, and once on the first --unrelated-rows rows of --unrelated (benign rows unrelated to the forget set; Łucki et al. 2024 found that this restores unlearned knowledge too). At each --steps budget it measures the held-out forget rows (exact-match accuracy of the greedy answer, mean per-token answer log-likelihood), retain accuracy and, with --harmless, utility.

        Recovery = (metric after − metric of U) / (metric of the base B − metric of U): 0 nothing came back, 1 back to B. Reported as mean ± sample sd over seeds, with the worst case over learning rates.

        --world W takes the world's forget and retain fact splits, harmless_test as utility and harmless_train as the unrelated rows. Writes R.json (format temper.audit.relearn/1) and R.html (inline SVG). Progress on stderr.

        Example: temper audit relearn --base base --unlearned out/unlearned --world Fixtures/world --steps 5,10,25 --lrs 1e-4,3e-4 --seeds 0,1,2 --report out/relearn
        """)

    @Option(name: .long, help: "The original model folder (before unlearning).") var base: String
    @Option(name: .long, help: "The unlearned model folder.") var unlearned: String
    @Option(name: .long, help: "JSONL of (prompt, response) rows the model should have forgotten.") var forget: String?
    @Option(name: .long, help: "JSONL of (prompt, response) rows it should still know.") var retain: String?
    @Option(name: .long, help: "JSONL of harmless rows scored by exact match (utility).") var harmless: String?
    @Option(name: .long, help: "JSONL of benign rows unrelated to the forget set (the unrelated fine-tuning; without it, only the forget part is trained on).")
    var unrelated: String?
    @Option(name: .long, help: "How many --unrelated rows to fine-tune on (the first ones).") var unrelatedRows: Int = 8
    @Option(name: .long, help: "Comma-separated step budgets at which recovery is measured (the longest is the run length).") var steps: String = "5,10,25"
    @Option(name: .long, help: "Comma-separated learning rates.") var lrs: String = "1e-4,3e-4"
    @Option(name: .long, help: "Comma-separated seeds (0,1,2), or one number N for seeds 0..<N as temper attack takes it.") var seeds: String = "0,1,2"
    @Option(name: .long, help: "Batch size of the relearning fine-tuning.") var batch: Int = 4
    @Option(name: .long, help: "Fraction of the forget rows trained on; the rest is held out and measured.") var relearnFraction: Double = 0.5
    @Option(name: .long, help: "Seed of the forget set's split.") var splitSeed: UInt64 = 0
    @Option(name: .long, help: "Report path without extension (writes .json and .html).") var report: String
    @OptionGroup var lora: LoRAOptions
    @OptionGroup var world: WorldPresetOptions
    @OptionGroup var text: TextOptions
    @OptionGroup var output: OutputOptions

    /// The world's fact splits (forget family vs the rest) and its benign rows.
    enum WorldSplits { static let forget = "forget", retain = "retain" }

    func validate() throws {
        if world.world == nil && (forget == nil || retain == nil) { throw ValidationError("give --forget FILE and --retain FILE (or --world W)") }
        guard batch > 0, unrelatedRows > 0 else { throw ValidationError("--batch and --unrelated-rows must be positive") }
        guard relearnFraction > 0, relearnFraction < 1 else { throw ValidationError("--relearn-fraction must lie strictly between 0 and 1") }
        _ = try makeConfig()
    }

    func makeConfig() throws -> RelearnConfig {
        let budgets = try CommaList.parse(steps, "steps") { Int($0).flatMap { $0 > 0 ? $0 : nil } }
        let rates = try CommaList.parse(lrs, "lrs") { Double($0).flatMap { $0 > 0 && $0.isFinite ? $0 : nil } }
        var seedList = try CommaList.parse(seeds, "seeds") { UInt64($0) }
        if seedList.count == 1, let n = seedList.first {
            guard (1...1000).contains(n) else { throw ValidationError("--seeds N needs 1 ≤ N ≤ 1000 (or a list such as 0,1,2)") }
            seedList = Array(0..<n)
        }
        let adapter = lora.loraRank.map { AttackLoRA(rank: $0, alpha: lora.loraAlpha ?? 8, targets: lora.targets, dropout: lora.loraDropout ?? 0) }
        return RelearnConfig(learningRates: rates, budgets: budgets, seeds: seedList, batchSize: batch, relearnFraction: relearnFraction,
                             splitSeed: splitSeed, unrelatedRows: unrelatedRows, lora: adapter)
    }

    func run() throws {
        let preset = try world.preset()
        func rows(_ path: String?, _ role: String, _ option: String, _ split: String?, required: Bool) throws -> RowSet? {
            try DataArgument.rows(path, role: role, option: option, world: preset, split: split, required: required)
        }
        guard let forgetRows = try rows(forget, "forget", "--forget", WorldSplits.forget, required: true),
              let retainRows = try rows(retain, "retain", "--retain", WorldSplits.retain, required: true) else {
            throw UsageError("give --forget FILE and --retain FILE (or --world W)")
        }
        let data = RelearnData(forget: forgetRows, retain: retainRows,
                               utility: try rows(harmless, "utility", "--harmless", WorldPreset.harmlessTestSplit, required: false),
                               // The world's harmless training rows (arithmetic, reversal) are unrelated to its facts.
                               unrelated: try rows(unrelated, "unrelated", "--unrelated", WorldPreset.retainSplit, required: false),
                               text: try text.options(world: preset), checkModel: preset.map { p in { try p.checkModel($0) } })
        let result = try RelearnAudit.run(base: try InputPath.model(base), unlearned: try InputPath.model(unlearned), data: data,
                                          config: try makeConfig(), log: Output.progress)
        let files = try ReportFiles.write(result, html: result.html, to: URL(fileURLWithPath: report))
        if output.json { FileHandle.standardOutput.write(try ReportFiles.json(result)); return }
        for (name, m) in [("base", result.baseMetrics), ("unlearned", result.unlearnedMetrics)] {
            Output.line(String(format: "%@: held-out forget accuracy %.3f, log-likelihood %.3f; retain accuracy %.3f", name, m.forgetAccuracy,
                               m.forgetLogLikelihood, m.retainAccuracy) + (m.utility.map { String(format: "; utility %.3f", $0) } ?? ""))
        }
        for w in result.worstCase {
            Output.line("\(w.kind.rawValue) after \(w.step) steps: worst-case recovery accuracy "
                        + (w.accuracyRecovery.map { String(format: "%.2f (lr %.0e)", $0, w.accuracyLearningRate ?? 0) } ?? "undefined (no gap)")
                        + ", log-likelihood "
                        + (w.logLikelihoodRecovery.map { String(format: "%.2f (lr %.0e)", $0, w.logLikelihoodLearningRate ?? 0) } ?? "undefined (no gap)"))
        }
        Output.line("report: \(files.json.path), \(files.html.path)")
    }
}
