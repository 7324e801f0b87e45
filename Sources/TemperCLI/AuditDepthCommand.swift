import ArgumentParser
import Foundation
import TemperAudit

extension ProbePooling: ExpressibleByArgument {}

/// `temper audit depth --base B --defended D [--attacked A] --world W --report OUT`.
struct AuditDepthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "depth",
        abstract: "Per-layer audit of base vs defended (vs attacked) models, with one plot per measure.",
        discussion: """
        Measures, per block and residual point: relative weight change ‖ΔW‖/‖W‖ per module (attention, MLP, norms; embeddings and head outside the blocks) against the base; logit-lens harmful log-likelihood (each residual point decoded by lm_head(final_norm(h))); linear-probe accuracy, harmful vs harmless prompts, on each residual point (logistic regression on --pooling features, seeded train/held-out split); attack cost (steps to φ per learning rate, skipped with --no-attack); the freeze ablation when given (--freeze-ablation k=DIR,… attacks each model made with blocks ≤ k frozen; --freeze-ablation-results FILE reads a JSON array of results measured elsewhere). Writes OUT.json and OUT.html (inline SVG). Progress goes to stderr.

        Example: temper audit depth --base world/model --defended out/repnoise --world world --report out/depth
        """)

    @Option(name: .long, help: "The base (undefended) model folder.") var base: String
    @Option(name: .long, help: "The defended model folder.") var defended: String
    @Option(name: .long, help: "An attacked model folder (a third series).") var attacked: String?
    @Option(name: .long, help: "The fixture world folder (has world.json).") var world: String
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
        guard probeSteps > 0 else { throw ValidationError("--probe-steps must be positive") }
        _ = try freezeAblationModels()
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
        let config = DepthConfig(probe: probe, measureAttackCost: !noAttack, grid: try grid.makeGrid())
        let results = try freezeAblationResults.map { try FreezeAblation.load(URL(fileURLWithPath: $0)) } ?? []
        let result = try DepthAudit.run(base: URL(fileURLWithPath: base), defended: URL(fileURLWithPath: defended),
                                        attacked: attacked.map { URL(fileURLWithPath: $0) }, world: URL(fileURLWithPath: world),
                                        config: config, freezeAblation: try freezeAblationModels(), freezeAblationResults: results,
                                        log: Output.progress)
        let files = try ReportFiles.write(result, html: result.html, to: URL(fileURLWithPath: report))
        if output.json { FileHandle.standardOutput.write(try ReportFiles.json(result)); return }
        for series in result.logitLens {
            Output.line("logit lens (\(series.model)): " + series.values.map { String(format: "%.3f", $0) }.joined(separator: " "))
        }
        for series in result.probe {
            Output.line("probe test accuracy (\(series.model), \(result.probePooling.rawValue)): "
                        + series.points.map { String(format: "%.2f", $0.testAccuracy) }.joined(separator: " "))
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
            Output.line(String(format: "freeze ablation k = %d: post-attack harmful rate %.2f", r.frozenThrough, r.postAttackHarmfulRate))
        }
        Output.line("report: \(files.json.path), \(files.html.path)")
    }
}
