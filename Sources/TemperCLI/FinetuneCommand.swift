import ArgumentParser
import Foundation
import TemperFormats
import TemperIntegrity
import TemperModels
import TemperText

extension TrainingConfig.Schedule: ExpressibleByArgument {}

/// `temper finetune DIR --data train.jsonl --out OUT`: response-only supervised fine-tuning.
struct FinetuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "finetune",
        abstract: "Fine-tune a decoder model on JSONL prompt/response pairs (loss on response tokens only).",
        discussion: """
        Rows {"prompt", "response"} are rendered with --template (default "{prompt} {response}", framed by bos and eos), tokenized with DIR's tokenizer.json and cut to --max-length. AdamW on every parameter, gradient-norm clip --max-grad-norm, learning rate warmed up linearly over --warmup × steps, then --schedule; batches drawn in a seeded order. Progress (step, loss, learning rate, tokens/s, ETA) goes to stderr.

        Resumable state (weights in f32, AdamW moments, step) is kept in OUT.finetune-state (or --state), written atomically every --save-every steps and when the run stops. After an interruption, run the same command with --resume: it continues from the last saved step and, because batch order and random numbers depend only on (seed, step), ends with the same weights as an uninterrupted run. --stop-after N ends this run at step N (state saved) to be continued later. The state folder is removed once OUT is written (unless --keep-state).

        OUT is written atomically when training ends: a Hugging Face folder with DIR's tensor names, dtypes, sharding, config and tokenizer files, and a temper.provenance.json record (input and output manifest digests, the dataset's SHA-256, every setting and the seed) appended to DIR's provenance chain.

        With --lora-rank R, only a LoRA adapter trains (rank R, scale --lora-alpha / R, on the --lora-targets linear modules, dropout --lora-dropout; A initialised kaiming-uniform and B zero as peft does, so training starts at the base model) and OUT is a PEFT adapter folder: adapter_config.json and adapter_model.safetensors exactly as peft's save_pretrained writes them, loadable with PeftModel.from_pretrained, and a provenance record whose base digest is DIR's manifest. --adapter DIR2 continues training an existing adapter with its own settings. Merge an adapter into full weights with temper merge-adapter.

        Example: temper finetune world/model --data world/data/harmful_a_train.jsonl --out tuned \\
                   --lr 1e-3 --steps 50 --batch 8 --save-every 10
        """)

    @Argument(help: "The decoder model folder to start from, or ORG/NAME[@REV] from the Hugging Face cache.") var model: String
    @Option(name: .long, help: "JSONL training file, one {\"prompt\", \"response\"} object per line.") var data: String
    @Option(name: .long, help: "Output folder (must not exist unless --force).") var out: String
    @Option(name: .long, help: "Peak learning rate.") var lr = 1e-4
    @Option(name: .long, help: "Optimizer steps.") var steps = 100
    @Option(name: .long, help: "Examples per step.") var batch = 8
    @Option(name: .long, help: "Warm-up as a fraction of the steps.") var warmup = 0.1
    @Option(name: .long, help: "After warm-up: cosine, linear or constant.") var schedule: TrainingConfig.Schedule = .cosine
    @Option(name: .long, help: "Seed of the batch order.") var seed: UInt64 = 0
    @Option(name: .long, help: "Save resumable state every N steps.") var saveEvery: Int?
    @Option(name: .long, help: "Longest example in tokens (longer ones are cut).") var maxLength = 128
    @Option(name: .long, help: "AdamW weight decay.") var weightDecay = 0.0
    @Option(name: .long, help: "Clip the global gradient norm to this value.") var maxGradNorm: Float = 1
    @Option(name: .long, help: "Prompt template with one {prompt} and one {response}.") var template = "{prompt} {response}"
    @Option(name: .long, help: "State folder (default: OUT.finetune-state).") var state: String?
    @Flag(name: .long, help: "Continue from the saved state.") var resume = false
    @Option(name: .long, help: "End this run at step N (state saved; continue with --resume).") var stopAfter: Int?
    @Flag(name: .long, help: "Keep the state folder after OUT is written.") var keepState = false
    @Flag(name: .long, help: "Replace OUT if it exists (only once the new one is complete).") var force = false
    @OptionGroup var lora: LoRAOptions
    @OptionGroup var adapter: AdapterOptions
    @OptionGroup var output: OutputOptions

    /// Beside OUT, never inside it (`out/` must not give `out/.finetune-state`).
    var stateURL: URL { URL(fileURLWithPath: state ?? URL(fileURLWithPath: out).standardizedFileURL.path + ".finetune-state") }

    func validate() throws {
        guard steps > 0, batch > 0, maxLength > 0 else { throw ValidationError("--steps, --batch and --max-length must be positive") }
        guard lr > 0, lr.isFinite else { throw ValidationError("--lr must be positive") }
        guard (0...1).contains(warmup) else { throw ValidationError("--warmup is a fraction of the steps, in [0, 1]") }
        guard weightDecay >= 0, maxGradNorm > 0 else { throw ValidationError("--weight-decay must be ≥ 0 and --max-grad-norm > 0") }
        if let saveEvery, saveEvery < 1 { throw ValidationError("--save-every must be ≥ 1") }
        if let stopAfter, !(1...steps).contains(stopAfter) { throw ValidationError("--stop-after must be within 1...\(steps)") }
        let a = URL(fileURLWithPath: model).standardizedFileURL.path, b = URL(fileURLWithPath: out).standardizedFileURL.path
        if a == b { throw ValidationError("the model folder and --out are the same path") }
        if lora.loraRank != nil, adapter.adapter != nil {
            throw ValidationError("--adapter continues an existing adapter with its own settings; leave out --lora-rank")
        }
    }

    func run() throws {
        let started = Date()
        let modelURL = try InputPath.model(model), dataURL = try InputPath.require(data)
        let hasState = FineTuner.hasSavedState(at: stateURL)
        if resume && !hasState { throw UsageError("--resume: no saved state in \(stateURL.path)") }
        if !resume && hasState {
            throw UsageError("\(stateURL.path) holds the state of an earlier run: add --resume to continue it, or remove it")
        }
        let dataDigest: String
        dataDigest = SHA256Digest.of(try TextFile.read(dataURL)).hex
        let outURL = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: outURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        let folder = try AtomicFolder(url: outURL, replace: force)
        defer { folder.abandon() }  // no-op after commit

        let training = TrainingConfig(steps: steps, learningRate: lr, warmupSteps: TrainingConfig.warmup(ratio: warmup, steps: steps),
                                      schedule: schedule, weightDecay: weightDecay, maxGradNorm: maxGradNorm, seed: seed, saveEvery: saveEvery)
        var job = SupervisedFineTuning(modelFolder: modelURL, dataset: dataURL, output: folder.stagingURL, training: training,
                                       batchSize: batch, maxLength: maxLength, template: try PromptTemplate(format: template),
                                       stateFolder: stateURL, resume: resume)
        job.stopAfterStep = stopAfter
        job.lora = lora.config
        job.adapter = try adapter.url()
        job.baseModelName = model
        let progress = ProgressLine(label: "finetune")
        let summary = try job.run { p in
            progress.update(p.step, p.totalSteps, String(format: "loss %.4f lr %.2e %.0f tok/s", p.loss, p.learningRate, p.tokensPerSecond),
                            eta: p.etaSeconds)
        }
        progress.finish()
        let reached = summary.startStep + summary.steps
        Output.progress(String(format: "finetune: steps %d→%d of %d, loss %.4f → %.4f, %.0f tokens/s, %.1f s", summary.startStep, reached, steps,
                               summary.losses.first ?? .nan, summary.losses.last ?? .nan,
                               summary.seconds > 0 ? Double(summary.tokens) / summary.seconds : 0, summary.seconds))
        var result = Result(output: nil, completed: reached == steps, startStep: summary.startStep, step: reached, steps: steps,
                            losses: summary.losses, tokens: summary.tokens, seconds: summary.seconds, state: stateURL.path)
        if result.completed {
            try ProvenanceLog.recordRewrite(operation: "finetune", config: provenanceConfig(data: dataURL, digest: dataDigest, training: training,
                                                                                           resumedFrom: summary.startStep),
                                            temperVersion: TemperVersion.string, seed: seed, started: started,
                                            input: modelURL.path, output: folder.stagingURL.path)
            try folder.commit()
            result.output = outURL.path
            if !keepState {
                // The output is complete; a state left behind is only clutter, so say so and go on.
                do {
                    try FileManager.default.removeItem(at: stateURL)
                    result.state = nil
                } catch {
                    Output.progress("temper: warning: cannot remove \(stateURL.path): \(error.localizedDescription)")
                }
            }
        }
        if output.json { try Output.json(result); return }
        if let written = result.output {
            Output.line("wrote \(written): \(reached) steps, final loss \(String(format: "%.4f", summary.losses.last ?? .nan))")
        } else {
            Output.line("stopped at step \(reached) of \(steps); state in \(stateURL.path) (continue with --resume)")
        }
    }

    /// Every setting that shaped the weights, for the provenance record.
    func provenanceConfig(data: URL, digest: String, training: TrainingConfig, resumedFrom: Int) -> OrderedJSON {
        func number(_ value: some CustomStringConvertible) -> OrderedJSON { .number(value.description) }
        return .object([
            .init(key: "input", value: .string(URL(fileURLWithPath: model).lastPathComponent)),
            .init(key: "data", value: .string(data.lastPathComponent)),
            .init(key: "data_sha256", value: .string(digest)),
            .init(key: "template", value: .string(template)),
            .init(key: "max_length", value: number(maxLength)),
            .init(key: "loss", value: .string("response-only causal LM cross-entropy")),
            .init(key: "trainable", value: .string(lora.loraRank != nil || adapter.adapter != nil ? "lora" : "all")),
            .init(key: "optimizer", value: .string("adamw")),
            .init(key: "steps", value: number(training.steps)),
            .init(key: "batch_size", value: number(batch)),
            .init(key: "learning_rate", value: number(training.learningRate)),
            .init(key: "warmup_ratio", value: number(warmup)),
            .init(key: "warmup_steps", value: number(training.warmupSteps)),
            .init(key: "schedule", value: .string(training.schedule.rawValue)),
            .init(key: "weight_decay", value: number(training.weightDecay)),
            .init(key: "beta1", value: number(training.beta1)),
            .init(key: "beta2", value: number(training.beta2)),
            .init(key: "eps", value: number(training.eps)),
            .init(key: "max_grad_norm", value: training.maxGradNorm.map { number(Double($0)) } ?? .null),
            .init(key: "seed", value: number(training.seed)),
            .init(key: "resumed_from_step", value: number(resumedFrom)),
        ] + loraConfig)
    }

    /// The adapter settings for the provenance record (empty for full fine-tuning).
    var loraConfig: [OrderedJSON.Member] {
        if let path = adapter.adapter { return [.init(key: "adapter", value: .string(URL(fileURLWithPath: path).lastPathComponent))] }
        guard let config = lora.config else { return [] }
        return [.init(key: "lora_rank", value: .number(String(config.rank))),
                .init(key: "lora_alpha", value: .number("\(config.alpha)")),
                .init(key: "lora_targets", value: lora.loraTargets == nil ? .string("peft default") : .array(lora.targets.map(OrderedJSON.string))),
                .init(key: "lora_dropout", value: .number("\(config.dropout)"))]
    }

    struct Result: Encodable {
        var output: String?
        var completed: Bool
        var startStep: Int
        var step: Int
        var steps: Int
        var losses: [Double]
        var tokens: Int
        var seconds: Double
        var state: String?

        enum CodingKeys: String, CodingKey {
            case output, completed, step, steps, losses, tokens, seconds, state
            case startStep = "start_step"
        }
    }
}
