import ArgumentParser
import Foundation
import TemperHarden
import TemperIntegrity
import TemperText
import TemperWorld

/// Flags every `temper harden` transform shares: data, training settings, the retain term,
/// the freeze ablation, output handling and signing.
struct HardenTrainingOptions: ParsableArguments {
    @Option(name: .long, help: "JSONL of harmful pairs: prompt, harmful response and refusal on every row.") var harmful: String?
    @Option(name: .long, help: "JSONL of harmless (prompt, response) rows for the retain term.") var retain: String?
    @OptionGroup var world: WorldPresetOptions
    @Option(name: .long, help: "How rows become text: chat (the model folder's chat template, loss on the assistant turn), plain (\"{prompt} {response}\" framed by the tokenizer's bos/eos, the default), or a format with one {prompt} and one {response}.")
    var template: String?
    @Option(name: .long, help: "With --template chat: a system message before every user turn.") var system: String?
    @Option(name: .long, help: "Longest example in tokens, prompt included (default 256; 64 with --world).") var maxLength: Int?
    @Option(name: .long, help: "AdamW learning rate (default: the transform's, 1e-4).") var lr: Double?
    @Option(name: .long, help: "Training steps (default 300).") var steps: Int?
    @Option(name: .long, help: "Passes over the harmful pairs instead of --steps.") var epochs: Int?
    @Option(name: .long, help: "Paired examples per step.") var batch: Int = 8
    @Option(name: .long, help: "Warm-up as a fraction of the steps.") var warmup: Double = 0.1
    @Option(name: .long, help: "Seed of batch order and noise.") var seed: UInt64 = 0
    @Option(name: .long, help: "Weight of the cross-entropy on harmless rows (0 = refusals only, the reference recipe).")
    var retainWeight: Double = 1
    @Option(name: .long, help: "Harmless rows per step for the retain term.") var retainBatch: Int = 8
    @Option(name: .long, help: "Freeze the embeddings and blocks 0...K (freeze ablation).") var freezeLayers: Int?
    @Option(name: .long, help: "PEM private key: sign OUT (model_signing format).") var key: String?
    @Option(name: .long, help: "Folder for resumable training state (resumes when it holds one).") var state: String?
    @Option(name: .long, help: "Save the state every N steps (with --state).") var saveEvery: Int?
    @Option(name: .long, help: "Write every step's loss parts, learning rate and gradient norm to FILE (losses.jsonl, as the torch engine writes it).")
    var logLosses: String?
    @Flag(name: .long, help: "Replace OUT if it exists.") var force = false

    func validate() throws {
        if steps != nil && epochs != nil { throw ValidationError("give --steps or --epochs, not both") }
        if let steps, steps <= 0 { throw ValidationError("--steps must be positive") }
        if let epochs, epochs <= 0 { throw ValidationError("--epochs must be positive") }
        if let lr, !(lr > 0) { throw ValidationError("--lr must be positive") }
        guard batch > 0, retainBatch > 0 else { throw ValidationError("--batch and --retain-batch must be positive") }
        guard (0...1).contains(warmup) else { throw ValidationError("--warmup must be in [0, 1]") }
        guard retainWeight >= 0 else { throw ValidationError("--retain-weight must be ≥ 0") }
        if let freezeLayers, freezeLayers < 0 { throw ValidationError("--freeze-layers must be ≥ 0") }
        if saveEvery != nil && state == nil { throw ValidationError("--save-every needs --state") }
        if let maxLength, maxLength < 2 { throw ValidationError("--max-length must be at least 2") }
        if let saveEvery, saveEvery <= 0 { throw ValidationError("--save-every must be positive") }
    }

    /// The rows: the files given, the world's splits for the others (with --world).
    func data(retainWeight: Double) throws -> HardenData {
        let preset = try world.preset()
        guard let pairs = try DataArgument.rows(harmful, role: "harmful", option: "--harmful", world: preset, split: WorldPreset.harmfulSplit) else {
            throw UsageError("give --harmful PAIRS.jsonl (or --world W)")
        }
        let retainRows = retainWeight > 0
            ? try DataArgument.rows(retain, role: "retain", option: "--retain", world: preset, split: WorldPreset.retainSplit, required: false) : nil
        if retainWeight > 0 && retainRows == nil {
            throw UsageError("the retain term (--retain-weight \(retainWeight)) needs --retain HARMLESS.jsonl; pass --retain-weight 0 to train on the pairs alone")
        }
        return try HardenData(harmful: pairs, retain: retainRows)
    }

    /// The settings, starting from the transform's defaults.
    func training(defaults: HardenTraining, data: HardenData) throws -> HardenTraining {
        var t = defaults
        t.learningRate = lr ?? defaults.learningRate
        t.batchSize = batch
        t.warmupFraction = warmup
        t.seed = seed
        t.retainWeight = retainWeight
        t.retainBatchSize = retainBatch
        t.freezeLayers = freezeLayers
        t.maxLength = maxLength ?? (world.world != nil ? WorldPreset.maxLength : TextEncoding.defaultMaxLength)
        if let steps { t.steps = steps }
        if let epochs { t.steps = epochs * ((data.harmful.rows.count + batch - 1) / max(batch, 1)) }
        return t
    }

    func runOptions(input: String? = nil) throws -> HardenRunOptions {
        if let preset = try world.preset(), let input { try preset.checkModel(URL(fileURLWithPath: input)) }
        return HardenRunOptions(temperVersion: TemperVersion.string, replace: force, signingKey: try key.map { try ECPrivateKey.load(path: $0) },
                                stateFolder: state.map { URL(fileURLWithPath: $0) }, saveEvery: saveEvery,
                                format: try RowFormat.parse(template, system: system), lossLog: logLosses.map { URL(fileURLWithPath: $0) },
                                log: Output.progress)
    }

    func report(_ result: HardenResult, json: Bool) throws {
        if json { try Output.json(result); return }
        let metrics = result.summary.finalMetrics.keys.sorted().map { String(format: "%@ %.4f", $0, result.summary.finalMetrics[$0] ?? 0) }
        Output.line("wrote \(result.output) (\(result.operation), \(result.summary.steps) steps, \(String(format: "%.1f", result.summary.seconds)) s)")
        Output.line("final: " + metrics.joined(separator: "  "))
        Output.line("provenance: \(result.output)/\(ProvenanceLog.fileName) (manifest \(result.outputManifestSHA256))")
        if let signature = result.signature { Output.line("signature: \(signature)") }
    }
}

/// Bad rows, models and judges are bad input data (65); a setting outside its range (or an
/// existing OUT) is a usage error (64); everything else is a failure (1).
extension HardenError: ExitCoded {
    public var exitCode: Int32 {
        if isBadInput { return 65 }
        switch self {
        case .invalidSetting, .outputExists: return 64
        default: return 1
        }
    }
}
