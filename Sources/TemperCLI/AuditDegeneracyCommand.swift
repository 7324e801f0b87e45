import ArgumentParser
import Foundation
import TemperFormats
import TemperAudit

/// `temper audit degeneracy DIR --data FILE.jsonl [--compare DIR2] --report OUT`.
struct AuditDegeneracyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "degeneracy",
        abstract: "How many directions of each layer matter to the computation: the interaction basis per layer (METHODS.md §9).",
        discussion: """
        Node layers are the residual stream between blocks (residual.0 = embedding output … residual.L) and the logits. For each, the audit collects the Gram matrix with the bias folded in as a constant-1 coordinate, keeps eigenvalues above --threshold (the activation rank), then, from the output backwards, the integrated-gradient matrices M' and Λ' of the next layer's interaction-basis activations (rib's "(1-0)*alpha" formula, --intervals trapezoidal intervals), and keeps the Λ above the threshold (the interaction rank). It also reports unit degeneracy (MLP units with identical gate sign patterns), interaction edges between consecutive layers with their sparsity (interaction vs PCA basis), ablation curves (loss as the smallest-Λ directions are removed, interaction vs PCA basis) and, for datasets with harmful rows (rows with a refusal), the share of the harmful-minus-harmless mean activation difference inside the kept interaction directions.

        Writes OUT.json, OUT.html (inline SVG) and OUT.0.bases.safetensors (OUT.1… for --compare) with each layer's C and pseudo-inverse in f64. Works on any decoder Temper loads (Llama family, GPT-2). Progress goes to stderr.

        Example: temper audit degeneracy Fixtures/world/model --data mixed.jsonl --compare out/repnoise --report out/degeneracy
        """)

    @Argument(help: "The model folder.") var model: String
    @Option(name: .long, help: "JSONL dataset (prompt, response, optional refusal).") var data: String
    @Option(name: .long, help: "A second model folder audited the same way (base vs hardened).") var compare: String?
    @Option(name: .long, help: "Comma-separated node layers (residual.N, N, logits); default all.") var layers: String?
    @Option(name: .long, help: "Eigenvalue and Λ truncation threshold.") var threshold: Double = 1e-5
    @Option(name: .long, help: "Integrated-gradient intervals (0 = the single point α = 0.5).") var intervals: Int = 2
    @Option(name: .long, help: "Basis formula: ig (rib's \"(1-0)*alpha\", integrated gradients; the default) or jacobian (LIB: M' from the section Jacobian, Λ = its spectrum).")
    var basisFormula: String = "ig"
    @Option(name: .long, help: "Random ±1 sources per batch for --basis-formula jacobian; 0 = the exact Jacobian (one VJP per output token and direction: small inputs only).")
    var sources: Int = 16
    @Option(name: .long, help: "Seed of the jacobian sources.") var seed: UInt64 = 0
    @Option(name: .long, help: "Tokens of the dataset to use (rows in file order).") var maxTokens: Int = 10_000
    @Option(name: .long, help: "Tokens per forward batch.") var batchTokens: Int = 2048
    @Option(name: .long, help: "Tokens for the interaction edges (0 skips them).") var edgeTokens: Int = 512
    @Option(name: .long, help: "Edge formula, as rib's edge_formula: functional (the default: one VJP per output direction; signed edges) or squared (the square of each output token's attribution, summed: one VJP per output direction and position).")
    var edgeFormula: String = "functional"
    @Option(name: .long, help: "Random ±1 sources over output positions for --edge-formula squared (rib's n_stochastic_sources_edges); 0 = exact.")
    var edgeSources: Int = 0
    @Option(name: .long, help: "Tokens for the ablation curves (0 skips them).") var ablationTokens: Int = 2048
    @Option(name: .long, help: "Report path without extension.") var report: String
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard threshold > 0 else { throw ValidationError("--threshold must be positive") }
        guard (0...64).contains(intervals) else { throw ValidationError("--intervals must be in 0...64") }
        guard maxTokens > 0, batchTokens > 0 else { throw ValidationError("--max-tokens and --batch-tokens must be positive") }
        guard edgeTokens >= 0, ablationTokens >= 0 else { throw ValidationError("--edge-tokens and --ablation-tokens must be ≥ 0") }
    }

    func run() throws {
        var config = DegeneracyConfig()
        config.threshold = threshold
        config.intervals = intervals
        switch basisFormula {
        case "ig", BasisFormula.integratedGradient.rawValue: config.basisFormula = .integratedGradient
        case "jacobian": config.basisFormula = .jacobian
        default: throw ValidationError("--basis-formula must be ig or jacobian, got \(basisFormula)")
        }
        guard sources >= 0 else { throw ValidationError("--sources must be ≥ 0 (0 = exact), got \(sources)") }
        config.jacobianSources = sources == 0 ? nil : sources
        config.seed = seed
        config.maxTokens = maxTokens
        config.batchTokens = batchTokens
        config.edgeTokens = edgeTokens
        guard let formula = EdgeFormula(rawValue: edgeFormula) else {
            throw ValidationError("--edge-formula must be functional or squared, got \(edgeFormula)")
        }
        guard edgeSources >= 0 else { throw ValidationError("--edge-sources must be ≥ 0 (0 = exact), got \(edgeSources)") }
        guard edgeSources == 0 || formula == .squared else { throw ValidationError("--edge-sources needs --edge-formula squared") }
        config.edgeFormula = formula
        config.edgeSources = edgeSources == 0 ? nil : edgeSources
        config.ablationTokens = ablationTokens
        config.layers = try layers.map { try CommaList.parse($0, "layers") { $0.isEmpty ? nil : $0 } }
        let result = try DegeneracyRun.run(model: URL(fileURLWithPath: model), compare: compare.map { URL(fileURLWithPath: $0) },
                                           data: URL(fileURLWithPath: data), config: config, report: URL(fileURLWithPath: report),
                                           progress: Output.progress)
        if output.json { FileHandle.standardOutput.write(try ReportFiles.json(result)); return }
        for m in [result.model] + (result.compare.map { [$0] } ?? []) {
            Output.line("\(m.path) (\(m.tokens) tokens)")
            for l in m.layers {
                let ranks = "activation rank \(l.activationRank.map(String.init) ?? "—"), interaction rank \(l.interactionRank.map(String.init) ?? "—")"
                let harm = l.harmful.map { String(format: ", harmful Δ in kept dirs %.3f", $0.interactionFraction) } ?? ""
                Output.line("  \(l.name) (hidden \(l.hidden)): \(ranks)\(harm)")
            }
        }
        Output.line("report: \(report).json, \(report).html")
    }
}
