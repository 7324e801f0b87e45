import ArgumentParser
import Foundation
import TemperAudit
import TemperFormats
import TemperHarden
import TemperWorld

/// `temper audit quantization --base B --defended D (--forget FILE | --harmful FILE) --types … --report R`.
struct AuditQuantizationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quantization",
        abstract: "Does GGUF quantization undo a defence or an unlearning? Round-trip both models and measure again.",
        discussion: """
        Each model (the defended one, and the base for reference) is taken through every --types file type as llama-quantize would make it from an f32 GGUF — the per-tensor type mixture of llama-quantize (q4_k_m keeps some attn_v / ffn_down at Q6_K, rows that are not whole super-blocks fall back as llama.cpp does), quantized with Temper's bit-exact quantizers and decoded back to f32 in memory — and measured again: with --forget, exact-match accuracy and answer log-likelihood on the forget rows (Zhang et al., ICLR 2025: 4-bit quantization restored most "unlearned" knowledge); with --harmful, each judge's harmful rate and the harmful log-likelihood on --harmful (plus --heldout and --cross-domain). --retain rows are scored by exact match beside them.

        Recovery = (defended after quantization − defended) / (base − defended). Llama-family models only (llama, mistral, qwen2: the architectures llama-quantize's mixture rules are written for here). --world W fills in the world's splits (the forget facts with --mode forget, the harmful sets with --mode harmful). Writes R.json (temper.audit.quantization/1) and R.html.

        Example: temper audit quantization --base base --defended out/unlearned --forget forget.jsonl --retain retain.jsonl --types q8_0,q4_0,q4_k_m --report out/quant
        """)

    @Option(name: .long, help: "The base model folder.") var base: String
    @Option(name: .long, help: "The defended (or unlearned) model folder.") var defended: String
    @Option(name: .long, help: "JSONL of rows the model should have forgotten (forget mode).") var forget: String?
    @Option(name: .long, help: "JSONL of harmful pairs (harmful mode).") var harmful: String?
    @Option(name: .long, help: "Harmful mode: JSONL of held-out harmful prompts of the same domain.") var heldout: String?
    @Option(name: .long, help: "Harmful mode: JSONL of harmful prompts of another domain.") var crossDomain: String?
    @Option(name: .long, help: "JSONL of rows the model should still answer (exact match).") var retain: String?
    @Option(name: .long, help: "With --world and no data file: forget or harmful.") var mode: QuantizationData.Mode?
    @Option(name: .long, help: "Comma-separated llama-quantize file types (q8_0, q4_0, q4_k_m, q5_k_m, q6_k, …).") var types: String = "q8_0,q4_0,q4_k_m"
    @Option(name: .long, help: "Report path without extension (writes .json and .html).") var report: String
    @OptionGroup var world: WorldPresetOptions
    @OptionGroup var judges: JudgeOptions
    @OptionGroup var text: TextOptions
    @OptionGroup var output: OutputOptions

    enum WorldSplits { static let forget = "forget", retain = "retain" }

    func validate() throws {
        if forget != nil && harmful != nil { throw ValidationError("give --forget or --harmful, not both") }
        if forget == nil && harmful == nil && (world.world == nil || mode == nil) {
            throw ValidationError("give --forget FILE or --harmful FILE (or --world W with --mode forget|harmful)")
        }
        _ = try fileTypes()
    }

    func fileTypes() throws -> [LlamaFileType] {
        try types.split(separator: ",").map { name in
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard let t = LlamaFileType(name: trimmed) else {
                throw ValidationError("unknown file type '\(trimmed)' in --types; known: \(LlamaFileType.names.joined(separator: ", "))")
            }
            return t
        }
    }

    var resolvedMode: QuantizationData.Mode { forget != nil ? .forget : harmful != nil ? .harmful : (mode ?? .forget) }

    func run() throws {
        let preset = try world.preset()
        func rows(_ path: String?, _ role: String, _ option: String, _ split: String?, required: Bool = false) throws -> RowSet? {
            try DataArgument.rows(path, role: role, option: option, world: preset, split: split, required: required)
        }
        let textOptions = try text.options(world: preset)
        let check: ((URL) throws -> Void)? = preset.map { p in { try p.checkModel($0) } }
        let data: QuantizationData
        switch resolvedMode {
        case .forget:
            guard let f = try rows(forget, "forget", "--forget", WorldSplits.forget, required: true) else { throw UsageError("give --forget FILE") }
            data = try QuantizationData(mode: .forget, target: [f], retain: try rows(retain, "retain", "--retain", WorldSplits.retain),
                                        judges: [], text: textOptions, checkModel: check)
        case .harmful:
            guard let h = try rows(harmful, "harmful", "--harmful", WorldPreset.harmfulSplit, required: true) else { throw UsageError("give --harmful FILE") }
            let extra = try [rows(heldout, "heldout", "--heldout", WorldPreset.heldOutSplit),
                             rows(crossDomain, "cross-domain", "--cross-domain", WorldPreset.crossDomainSplit)].compactMap { $0 }
            data = try QuantizationData(mode: .harmful, target: [h] + extra,
                                        retain: try rows(retain, "harmless", "--retain", WorldPreset.harmlessTestSplit),
                                        judges: try judges.judges(world: preset), text: textOptions, checkModel: check)
        }
        let result = try QuantizationAudit.run(base: try InputPath.model(base), defended: try InputPath.model(defended), data: data,
                                               types: try fileTypes(), log: Output.progress)
        let files = try ReportFiles.write(result, html: result.html, to: URL(fileURLWithPath: report))
        if output.json { FileHandle.standardOutput.write(try ReportFiles.json(result)); return }
        for r in result.recovery {
            Output.line(String(format: "%@ %@ %@: base %.3f, defended %.3f → %.3f after quantization (recovery %@; base → %.3f)",
                               r.type, r.set, r.metric, r.base, r.defended, r.defendedQuantized,
                               r.recovery.map { String(format: "%.2f", $0) } ?? "undefined", r.baseQuantized))
        }
        Output.line("report: \(files.json.path), \(files.html.path)")
    }
}

extension QuantizationData.Mode: ExpressibleByArgument {}
