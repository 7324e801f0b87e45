import ArgumentParser
import Foundation
import TemperHarden
import TemperWorld

extension JobEngine: ExpressibleByArgument {}

/// Where the job goes and how it is launched; the rest of the command line is the transform's.
struct JobOutputOptions: ParsableArguments {
    @Option(name: .long, help: "The job folder to write (must not exist unless --force).") var out: String
    @Option(name: .long, help: "How run.sh launches the engine: torchrun or accelerate.") var engine: JobEngine = .torchrun
    @Option(name: .long, help: "The engine's source tree (default: $TEMPER_ENGINE_DIR, else Engines/torch of the repository temper was built from).")
    var engineSource: String?

    /// Refuses the transform flags that only mean something when Temper trains itself.
    func check(_ training: TrainingLoopOptions) throws {
        if training.key != nil { throw ValidationError("--key signs at import: temper job import JOB OUT --key K") }
        if training.state != nil || training.saveEvery != nil { throw ValidationError("--state and --save-every apply to runs Temper trains itself") }
        if training.logLosses != nil { throw ValidationError("the engine writes losses.jsonl into JOB/output; --log-losses is for runs Temper trains itself") }
    }

    func options(_ training: HardenTrainingOptions, input: String) throws -> JobExportOptions {
        try check(training.loop)
        return try options(try training.runOptions(input: input))
    }

    /// For transforms on the shared loop alone (`temper unlearn`).
    func options(_ loop: TrainingLoopOptions, world: WorldPreset?, input: String) throws -> JobExportOptions {
        try check(loop)
        return try options(try loop.runOptions(world: world, input: input))
    }

    private func options(_ run: HardenRunOptions) throws -> JobExportOptions {
        try options(format: run.format, replace: run.replace)
    }

    /// For exports without the shared training loop (the fine-tuning attack).
    func options(format: RowFormat, replace: Bool) throws -> JobExportOptions {
        JobExportOptions(job: URL(fileURLWithPath: out), engine: engine, engineSource: try JobEngineFiles.locate(explicit: engineSource),
                         replace: replace, format: format, temperVersion: TemperVersion.string, log: Output.progress)
    }

    func report(_ result: JobExportResult, json: Bool) throws {
        if json { try Output.json(result); return }
        Output.line("wrote job \(result.job) (\(result.operation), \(result.steps) steps, \(result.files) files, \(result.bytes) bytes)")
        Output.line("base manifest \(result.baseManifestSHA256)")
        Output.line("run: PYTHON=python3 \(result.job)/run.sh --nproc N    then: temper job import \(result.job) OUT")
    }
}

/// `temper job export harden repnoise IN [repnoise options] --out JOB`.
struct JobExportRepNoiseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repnoise", abstract: "Export temper harden repnoise as a job (same options, --out JOB instead of OUT).")

    @Argument(help: "The model folder to harden.") var input: String
    @OptionGroup var repnoise: RepNoiseOptions
    @OptionGroup var training: HardenTrainingOptions
    @OptionGroup var job: JobOutputOptions
    @OptionGroup var format: OutputOptions

    func run() throws {
        let data = try training.data(retainWeight: training.retainWeight)
        let transform = try repnoise.transform(training: training, data: data)
        let result = try transform.exportJob(modelFolder: try InputPath.model(input), data: data, options: try job.options(training, input: input))
        try job.report(result, json: format.json)
    }
}

/// `temper job export harden adversarial IN [adversarial options] --out JOB`.
struct JobExportAdversarialCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adversarial", abstract: "Export temper harden adversarial as a job (same options, --out JOB instead of OUT).")

    @Argument(help: "The model folder to harden.") var input: String
    @OptionGroup var adversarial: AdversarialOptions
    @OptionGroup var training: HardenTrainingOptions
    @OptionGroup var job: JobOutputOptions
    @OptionGroup var format: OutputOptions

    func run() throws {
        let data = try training.data(retainWeight: training.retainWeight)
        let transform = try adversarial.transform(training: training, data: data)
        let result = try transform.exportJob(modelFolder: try InputPath.model(input), data: data, options: try job.options(training, input: input))
        try job.report(result, json: format.json)
    }
}

/// `temper job export harden lat IN --mode M [lat options] --out JOB`.
struct JobExportLATCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lat", abstract: "Export temper harden lat as a job (same options, --out JOB instead of OUT).",
        discussion: "Temper resolves the residual points and their absolute ε (measured on IN over the first batch, as temper harden lat does) and records them in config.json and job.json; δ starts at zero, so no noise is written. The engine runs the inner adversary (AdamW on δ, NaN gradients zeroed, projection onto the ε balls) and the model steps as Temper does; each batch serves --model-steps-per-attack steps. Not with run.sh --activation-checkpointing (a recompute would not see δ).")

    @Argument(help: "The model folder to harden.") var input: String
    @OptionGroup var lat: LATOptions
    @OptionGroup var training: HardenTrainingOptions
    @OptionGroup var job: JobOutputOptions
    @OptionGroup var format: OutputOptions

    func run() throws {
        let data = try lat.data(training)
        let transform = try lat.transform(training: training, data: data)
        let result = try transform.exportJob(modelFolder: try InputPath.model(input), data: data, options: try job.options(training, input: input))
        try job.report(result, json: format.json)
    }
}

/// `temper job export unlearn METHOD IN [unlearn options] --out JOB` (ga, graddiff, npo, simnpo, rmu).
struct JobExportUnlearnCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlearn",
        abstract: "Export temper unlearn as a job (same options, --out JOB instead of OUT).",
        discussion: """
        The forget and retain rows go into the job tokenized by Temper, with each step's batch indices, so the engine's per-step losses equal temper unlearn's. NPO's reference model is the base, loaded a second time by the engine.

        rmu: Temper resolves the layer l, the steering coefficient c (--steering-scale × the base's mean residual norm at l on the first forget batch, unless --steering-coeff) and the direction u (uniform, unit length, seeded by --steering-seed or --seed) exactly as temper unlearn rmu does, records them in config.json, and writes u and c·u into data/control.safetensors, so the engine needs none of Temper's random numbers. Only the MLP down-projections of blocks l−2…l train (job.json rmu.trained); the frozen model is the base loaded a second time.

        Example: temper job export unlearn rmu my-model --forget forget.jsonl --retain retain.jsonl --steps 60 --out job
        """)

    @Argument(help: "ga, graddiff, npo, simnpo or rmu.") var method: UnlearnMethod
    @Argument(help: "The model folder to unlearn from.") var input: String
    @OptionGroup var unlearn: UnlearnOptions
    @OptionGroup var job: JobOutputOptions
    @OptionGroup var format: OutputOptions

    func validate() throws { try unlearn.check(method) }

    func run() throws {
        let (transform, data, preset) = try unlearn.prepared(method)
        let result = try transform.exportJob(modelFolder: try InputPath.model(input), data: data,
                                             options: try job.options(unlearn.loop, world: preset, input: input))
        try job.report(result, json: format.json)
    }
}

/// Exit codes: 3 when the job or base no longer match what was exported, 65 for a bad
/// engine output (missing/reshaped tensors, NaN losses, short runs), 64 for a transform the
/// engine lacks or an existing output, 1 otherwise.
extension JobError: ExitCoded {
    public var exitCode: Int32 {
        if isVerificationFailure { return 3 }
        if isBadInput { return 65 }
        switch self {
        case .notInEngine, .outputExists, .engineSourceNotFound: return 64
        default: return 1
        }
    }
}
