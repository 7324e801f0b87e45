import ArgumentParser
import Foundation
import TemperHarden
import TemperIntegrity
import TemperText
import TemperWorld

/// Flags of the shared training loop (`HardenTrainer`), used by `temper harden` transforms
/// and `temper unlearn`: text settings, AdamW schedule, batch sizes, the freeze ablation,
/// resumable state, the loss log, output handling and signing.
struct TrainingLoopOptions: ParsableArguments {
    @Option(name: .long, help: "How rows become text: chat (the model folder's chat template, loss on the assistant turn), plain (\"{prompt} {response}\" framed by the tokenizer's bos/eos, the default), or a format with one {prompt} and one {response}.")
    var template: String?
    @Option(name: .long, help: "With --template chat: a system message before every user turn.") var system: String?
    @Option(name: .long, help: "Longest example in tokens, prompt included (default 256; 64 with --world).") var maxLength: Int?
    @Option(name: .long, help: "AdamW learning rate (default: the command's, see above).") var lr: Double?
    @Option(name: .long, help: "Training steps (default: the command's, see above).") var steps: Int?
    @Option(name: .long, help: "Passes over the training rows (harmful pairs, forget rows) instead of --steps.") var epochs: Int?
    @Option(name: .long, help: "Examples per step (harmful pairs, or forget rows).") var batch: Int = 8
    @Option(name: .long, help: "Warm-up as a fraction of the steps.") var warmup: Double = 0.1
    @Option(name: .long, help: "Seed of batch order and noise.") var seed: UInt64 = 0
    @Option(name: .long, help: "Retain rows per step.") var retainBatch: Int = 8
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
        if let freezeLayers, freezeLayers < 0 { throw ValidationError("--freeze-layers must be ≥ 0") }
        if saveEvery != nil && state == nil { throw ValidationError("--save-every needs --state") }
        if let maxLength, maxLength < 2 { throw ValidationError("--max-length must be at least 2") }
        if let saveEvery, saveEvery <= 0 { throw ValidationError("--save-every must be positive") }
    }

    /// The settings, starting from the command's defaults; `rows` is what --epochs counts.
    func training(defaults: HardenTraining, retainWeight: Double, rows: Int, world: Bool) -> HardenTraining {
        var t = defaults
        t.learningRate = lr ?? defaults.learningRate
        t.batchSize = batch
        t.warmupFraction = warmup
        t.seed = seed
        t.retainWeight = retainWeight
        t.retainBatchSize = retainBatch
        t.freezeLayers = freezeLayers
        t.maxLength = maxLength ?? (world ? WorldPreset.maxLength : TextEncoding.defaultMaxLength)
        if let steps { t.steps = steps }
        if let epochs { t.steps = epochs * ((rows + batch - 1) / max(batch, 1)) }
        return t
    }

    func runOptions(world preset: WorldPreset?, input: String? = nil) throws -> HardenRunOptions {
        if let preset, let input { try preset.checkModel(URL(fileURLWithPath: input)) }
        return HardenRunOptions(temperVersion: TemperVersion.string, replace: force, signingKey: try key.map { try ECPrivateKey.load(path: $0) },
                                stateFolder: state.map { URL(fileURLWithPath: $0) }, saveEvery: saveEvery,
                                format: try RowFormat.parse(template, system: system), lossLog: logLosses.map { URL(fileURLWithPath: $0) },
                                log: Output.progress)
    }

    /// The human-readable lines of a run's result (with --json the caller prints the JSON).
    static func reportLines(_ result: HardenResult) {
        let metrics = result.summary.finalMetrics.keys.sorted().map { String(format: "%@ %.4f", $0, result.summary.finalMetrics[$0] ?? 0) }
        Output.line("wrote \(result.output) (\(result.operation), \(result.summary.steps) steps, \(String(format: "%.1f", result.summary.seconds)) s)")
        Output.line("final: " + metrics.joined(separator: "  "))
        Output.line("provenance: \(result.output)/\(ProvenanceLog.fileName) (manifest \(result.outputManifestSHA256))")
        if let signature = result.signature { Output.line("signature: \(signature)") }
    }
}
