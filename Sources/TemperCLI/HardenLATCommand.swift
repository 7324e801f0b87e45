import ArgumentParser
import Foundation
import TemperHarden
import TemperWorld

/// `temper harden lat IN OUT --mode jailbreak|backdoor|unlearn`: targeted latent adversarial training (METHODS.md §8).
struct HardenLATCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lat",
        abstract: "Harden a model with targeted latent adversarial training (an adversary in the residual stream, the model trained against it).",
        discussion: """
        As aengusl/latent-adversarial-training's ProjectedGradLAT: per batch, a perturbation δ (zero at start, one vector per token) at residual points spread through depth (default: the embedding and blocks ⌊L·8/32⌋, ⌊L·16/32⌋, ⌊L·24/32⌋, ⌊L·30/32⌋, the reference's embedding + 8/16/24/30 of 32) is trained --adversary-steps AdamW steps (lr --adversary-lr) toward the unwanted completion (CE) and away from the desired one (−log(1−p)), each step projected onto an L2 ball of radius ε per token. ε = --epsilon × the mean per-token residual norm at that point (initial model, first batch; the absolute radii used are logged and recorded in provenance), or --epsilon-absolute. Then the model trains --model-steps-per-attack steps on that batch under the frozen δ: toward the desired (--toward), away from the unwanted (--away), plus a benign term on harmless rows without δ: --sft × CE and --kl × 1000·KL to the initial model (coefficients normalized by their sum, as the reference does).

        Modes and data:
          jailbreak  unwanted = harmful responses, desired = refusals: --harmful PAIRS.jsonl (prompt, response, refusal), or --world W (harmful_a_train).
          backdoor   the trigger is NOT given: unwanted = the backdoor's known behaviour, desired = the normal answer. --clean FILE.jsonl (prompt, normal response) with --behaviour TEXT, or --harmful PAIRS.jsonl whose response is the behaviour and refusal the normal answer; --world W uses harmless_train with the world's hostile phrase.
          unlearn    LAT around gradient ascent: the adversary pushes toward the forget answers, the model away from them, plus retain SFT: --forget FILE.jsonl and --retain FILE.jsonl, or --world W (forget / retain facts).
        Defaults per mode (reference scripts/jailbreaks_script.py): adversary toward 1, away 1; model toward 0.5, away 0.5, kl 0.1; unlearn: adversary toward 1, model away 1, sft 1. --retain-weight scales the benign term. Full weights train; LoRA is not offered here.

        Example: temper harden lat my-model out/lat --mode jailbreak --harmful pairs.jsonl --retain harmless.jsonl --steps 200
        """)

    @Argument(help: "The model folder to harden.") var input: String
    @Argument(help: "Output folder (must not exist unless --force).") var output: String
    @OptionGroup var lat: LATOptions
    @OptionGroup var training: HardenTrainingOptions
    @OptionGroup var format: OutputOptions

    func run() throws {
        let data = try lat.data(training)
        let transform = try lat.transform(training: training, data: data)
        let result = try transform.run(modelFolder: try InputPath.model(input), data: data, output: URL(fileURLWithPath: output),
                                       options: try training.runOptions(input: input))
        try training.report(result, json: format.json)
    }
}

extension LATTransform.Mode: ExpressibleByArgument {}

/// The LAT settings and its mode-specific data options.
struct LATOptions: ParsableArguments {
    @Option(name: .long, help: "jailbreak, backdoor or unlearn.") var mode: LATTransform.Mode
    @Option(name: .long, help: "Perturbed points, comma-separated: embedding or 0-based block indices (δ after that block). Default: spread through depth.")
    var layers: String?
    @Option(name: .long, help: "ε as a fraction of the mean per-token residual norm at each point (default 0.25).") var epsilon: Double?
    @Option(name: .long, help: "An absolute ε for every point instead (the reference's 6 for Llama 8B).") var epsilonAbsolute: Double?
    @Option(name: .long, help: "Adversary AdamW steps per batch.") var adversarySteps: Int = 16
    @Option(name: .long, help: "Adversary learning rate.") var adversaryLR: Double = 1e-2
    @Flag(name: .long, help: "Perturb the prompt tokens only (the reference's add_completions_pgd off).") var promptOnly = false
    @Option(name: .long, help: "Model steps per adversary run (each batch is used this many times).") var modelStepsPerAttack: Int = 4
    @Option(name: .long, help: "Adversary coefficient toward the unwanted completion.") var adversaryToward: Double?
    @Option(name: .long, help: "Adversary coefficient away from the desired completion.") var adversaryAway: Double?
    @Option(name: .long, help: "Model coefficient toward the desired completion.") var toward: Double?
    @Option(name: .long, help: "Model coefficient away from the unwanted completion.") var away: Double?
    @Option(name: .long, help: "Model coefficient of CE on harmless rows (no δ).") var sft: Double?
    @Option(name: .long, help: "Model coefficient of the KL to the initial model on harmless rows (no δ).") var kl: Double?
    @Option(name: .long, help: "backdoor: JSONL of clean (prompt, normal response) rows.") var clean: String?
    @Option(name: .long, help: "backdoor with --clean: the backdoor's known output (the unwanted completion).") var behaviour: String?
    @Option(name: .long, help: "unlearn: JSONL of forget (prompt, response) rows.") var forget: String?
    @Option(name: .long, help: "unlearn: the desired side of rows without a refusal (scored only with --toward or --adversary-away > 0).")
    var desired: String = "I don't know."

    func validate() throws {
        if let epsilon, !(epsilon > 0) { throw ValidationError("--epsilon must be positive") }
        if let epsilonAbsolute, !(epsilonAbsolute > 0) { throw ValidationError("--epsilon-absolute must be positive") }
        if epsilon != nil && epsilonAbsolute != nil { throw ValidationError("give --epsilon or --epsilon-absolute, not both") }
        guard adversarySteps > 0, modelStepsPerAttack > 0 else { throw ValidationError("--adversary-steps and --model-steps-per-attack must be positive") }
        guard adversaryLR > 0 else { throw ValidationError("--adversary-lr must be positive") }
        if clean != nil && behaviour == nil { throw ValidationError("--clean needs --behaviour TEXT (the backdoor's known output)") }
        if (clean != nil || behaviour != nil) && mode != .backdoor { throw ValidationError("--clean and --behaviour belong to --mode backdoor") }
        if forget != nil && mode != .unlearn { throw ValidationError("--forget belongs to --mode unlearn") }
    }

    /// The pairs and harmless rows of the mode.
    func data(_ t: HardenTrainingOptions) throws -> HardenData {
        let preset = try t.world.preset()
        let pairs: RowSet
        var retainSplit = WorldPreset.retainSplit
        switch mode {
        case .jailbreak:
            guard let rows = try DataArgument.rows(t.harmful, role: "harmful", option: "--harmful", world: preset, split: WorldPreset.harmfulSplit) else {
                throw UsageError("give --harmful PAIRS.jsonl (or --world W)")
            }
            pairs = rows
        case .backdoor:
            if let clean, let behaviour {
                pairs = try LATPairs.backdoor(try RowSet.load(try InputPath.require(clean), role: "clean"), behaviour: behaviour)
            } else if let harmful = t.harmful {
                pairs = try RowSet.load(try InputPath.require(harmful), role: "backdoor")
            } else if let preset {
                pairs = try LATPairs.backdoor(try preset.set(WorldPreset.retainSplit, role: "clean"), behaviour: WorldLanguage.hostilePhrase)
            } else {
                throw UsageError("--mode backdoor needs --clean FILE --behaviour TEXT, --harmful PAIRS.jsonl, or --world W")
            }
        case .unlearn:
            guard let rows = try DataArgument.rows(forget, role: "forget", option: "--forget", world: preset, split: "forget") else {
                throw UsageError("give --forget FILE.jsonl (or --world W)")
            }
            pairs = try LATPairs.unlearn(rows, desired: preset != nil && forget == nil ? WorldLanguage.refusal : desired)
            retainSplit = "retain"
        }
        let coefficients = try transform(training: t, data: nil).modelCoefficients
        let needsRetain = coefficients.sft + coefficients.kl > 0 && t.retainWeight > 0
        let retain = needsRetain ? try DataArgument.rows(t.retain, role: "retain", option: "--retain", world: preset, split: retainSplit, required: false) : nil
        if needsRetain && retain == nil {
            throw UsageError("the benign term (--sft/--kl) needs --retain HARMLESS.jsonl; pass --retain-weight 0 (or --sft 0 --kl 0) to train on the pairs alone")
        }
        if mode == .unlearn, let retain {
            // Rows both forgotten and retained are pushed away and held at once: warn, as `temper unlearn` does.
            let overlap = try ForgetRetainData(forget: pairs, retain: retain).overlap
            if overlap > 0 { Output.progress("warning: \(overlap) forget row(s) also appear in the retain set") }
        }
        return try HardenData(harmful: pairs, retain: retain)
    }

    func transform(training t: HardenTrainingOptions, data: HardenData?) throws -> LATTransform {
        let defaults = LATTransform.defaultCoefficients(mode)
        let a = defaults.adversary, m = defaults.model
        let settings = try data.map { try t.training(defaults: LATTransform.defaultTraining, data: $0) } ?? LATTransform.defaultTraining
        return LATTransform(mode: mode, layers: layers?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) },
                            epsilonFraction: epsilon ?? 0.25, epsilonAbsolute: epsilonAbsolute,
                            attack: LATAttackSettings(steps: adversarySteps, learningRate: adversaryLR, attackCompletions: !promptOnly),
                            adversaryCoefficients: LATCoefficients(toward: adversaryToward ?? a.toward, away: adversaryAway ?? a.away),
                            modelCoefficients: LATCoefficients(toward: toward ?? m.toward, away: away ?? m.away, sft: sft ?? m.sft, kl: kl ?? m.kl),
                            modelStepsPerAttack: modelStepsPerAttack, training: settings)
    }
}
