import ArgumentParser
import Foundation
import TemperFormats
import TemperAudit

extension ProbePooling: ExpressibleByArgument {}

/// `temper audit depth --base B --defended D [--attacked A] [--unlearned U] --world W --report OUT`.
struct AuditDepthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "depth",
        abstract: "Per-layer audit of base vs defended (vs attacked) models, with one plot per measure.",
        discussion: """
        Measures, per block and residual point: relative weight change ‖ΔW‖/‖W‖ per module (attention, MLP, norms; embeddings and head outside the blocks) against the base; logit-lens harmful log-likelihood (each residual point decoded by lm_head(final_norm(h)) on the responses of --harmful, --heldout and --cross-domain); the prompt-type probe, harmful vs harmless prompts, on each residual point (logistic regression on --pooling features, seeded train/held-out split; it reads prompt vocabulary, so it is high everywhere); the knowledge probe (a softmax probe per residual point predicts the next answer token at the answer positions of held-out rows of the harmful sets, and of --forget when given; chance level beside it); attack cost (steps to φ per learning rate, skipped with --no-attack); the freeze ablation when given (--freeze-ablation k=DIR,… attacks each model made with blocks ≤ k frozen; --freeze-ablation-results FILE reads a JSON array of results measured elsewhere); with --quantization q8_0,q4_k_m, the quantization round trip of base and defended (as temper audit quantization --harmful).

        Writes OUT.json and OUT.html (inline SVG), naming every data file by SHA-256 and every judge. Works on every decoder Temper loads. --world W fills in the world's splits for files not given. Progress goes to stderr.

        Example: temper audit depth --base my-model --defended out/repnoise --harmful pairs.jsonl --harmless harmless.jsonl --report out/depth
        """)

    @Option(name: .long, help: "The base (undefended) model folder.") var base: String
    @Option(name: .long, help: "The defended model folder.") var defended: String
    @Option(name: .long, help: "An attacked model folder (a third series).") var attacked: String?
    @Option(name: .long, help: "An unlearned model folder (another series: weight change, logit lens, both probes).") var unlearned: String?
    @Option(name: .long, help: "JSONL of facts to forget: the knowledge probe also decodes these answers (--world: the world's forget split).")
    var forget: String?
    @Option(name: .long, help: "Comma-separated llama-quantize file types for the quantization section (e.g. q8_0,q4_k_m).") var quantization: String?
    @Option(name: .long, help: "Knowledge-probe gradient-descent steps.") var knowledgeSteps: Int = 300
    @OptionGroup var data: AuditDataOptions
    @Option(name: .long, help: "Report path without extension (writes .json and .html).") var report: String
    @Flag(name: .long, help: "Skip the attack-cost measure (no attack grid).") var noAttack = false
    @Option(name: .long, help: "Freeze-ablation models: comma-separated k=DIR (blocks ≤ k frozen during the defence).")
    var freezeAblation: String?
    @Option(name: .long, help: "Freeze-ablation results measured elsewhere: a JSON array of {frozenThrough, model, postAttackHarmfulRate}.")
    var freezeAblationResults: String?
    @Option(name: .long, help: "Probe features: last-prompt-token or mean-prompt-tokens.") var pooling: ProbePooling = .lastPromptToken
    @Option(name: .long, help: "Probe gradient-descent steps.") var probeSteps: Int = 300
    @Option(name: .long, help: "Seed of the probe's train/held-out split.") var probeSeed: UInt64 = 0
    @OptionGroup var grid: AttackGridOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard probeSteps > 0, knowledgeSteps > 0 else { throw ValidationError("--probe-steps and --knowledge-steps must be positive") }
        _ = try freezeAblationModels()
        _ = try quantizationTypes()
    }

    func quantizationTypes() throws -> [LlamaFileType] {
        guard let quantization else { return [] }
        return try CommaList.parse(quantization, "quantization") { LlamaFileType(name: $0) }
    }

    func freezeAblationModels() throws -> [FreezeAblationModel] {
        guard let freezeAblation else { return [] }
        return try CommaList.parse(freezeAblation, "freeze-ablation") { item -> FreezeAblationModel? in
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let k = Int(parts[0]), k >= -1, !parts[1].isEmpty else { return nil }
            return FreezeAblationModel(frozenThrough: k, folder: URL(fileURLWithPath: parts[1]))
        }
    }

    func run() throws {
        var probe = ProbeConfig(pooling: pooling, seed: probeSeed)
        probe.steps = probeSteps
        var knowledge = KnowledgeProbeConfig(seed: probeSeed)
        knowledge.steps = knowledgeSteps
        let config = DepthConfig(probe: probe, knowledgeProbe: knowledge, measureAttackCost: !noAttack, grid: try grid.makeGrid())
        let results = try freezeAblationResults.map { try FreezeAblation.load(URL(fileURLWithPath: $0)) } ?? []
        var auditData = try data.data()
        auditData.forget = try DataArgument.rows(forget, role: "forget", option: "--forget", world: try data.world.preset(),
                                                 split: AuditRelearnCommand.WorldSplits.forget, required: false)
        let result = try DepthAudit.run(base: URL(fileURLWithPath: base), defended: URL(fileURLWithPath: defended),
                                        attacked: attacked.map { URL(fileURLWithPath: $0) }, unlearned: unlearned.map { URL(fileURLWithPath: $0) },
                                        data: auditData, config: config, freezeAblation: try freezeAblationModels(), freezeAblationResults: results,
                                        quantization: try quantizationTypes(), log: Output.progress)
        let files = try ReportFiles.write(result, html: result.html, to: URL(fileURLWithPath: report))
        if output.json { FileHandle.standardOutput.write(try ReportFiles.json(result)); return }
        for series in result.logitLens {
            Output.line("logit lens (\(series.model)): " + series.values.map { String(format: "%.3f", $0) }.joined(separator: " "))
        }
        for series in result.probe {
            Output.line("probe test accuracy (\(series.model), \(result.probePooling.rawValue)): "
                        + series.points.map { String(format: "%.2f", $0.testAccuracy) }.joined(separator: " "))
        }
        for k in result.knowledgeProbe {
            for series in k.series {
                Output.line("knowledge probe (\(series.model), \(k.sets.joined(separator: "+")), chance \(String(format: "%.2f", k.chance))): "
                            + series.testAccuracy.map { String(format: "%.2f", $0) }.joined(separator: " "))
            }
        }
        for c in result.weightChange {
            Output.line("weight change (\(c.label) vs base) per block: "
                        + c.layers.map { String(format: "%.3g", $0.relativeChange ?? .nan) }.joined(separator: " "))
        }
        for (name, c) in zip(["base", "defended"], result.attackCost ?? []) {
            Output.line("attack cost (\(name)): " + c.stepsByLearningRate.map {
                String(format: "lr %.0e → %@", $0.learningRate, $0.stepsToThreshold.map { "\($0)" } ?? "not reached")
            }.joined(separator: ", "))
        }
        for r in result.freezeAblation ?? [] {
            Output.line(String(format: "freeze ablation k = %d: post-attack %@ %.2f", r.frozenThrough, result.metric, r.postAttackHarmfulRate))
        }
        for r in result.quantization?.recovery ?? [] where r.set == result.attackedSet {
            Output.line(String(format: "quantization %@ %@: defended %.3f → %.3f (recovery %@)", r.type, r.metric, r.defended, r.defendedQuantized,
                               r.recovery.map { String(format: "%.2f", $0) } ?? "undefined"))
        }
        Output.line("report: \(files.json.path), \(files.html.path)")
    }
}
