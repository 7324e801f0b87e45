import ArgumentParser
import Foundation
import TemperHarden
import TemperWorld

/// `temper job export attack IN [--data F | --world W] --lr X --seed S --steps N --out JOB`:
/// one run of the fine-tuning attack as a job.
struct JobExportAttackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attack",
        abstract: "Export one run of the fine-tuning attack (temper attack, one learning rate and seed) as a job.",
        discussion: """
        The job trains what one (learning rate, seed) run of temper attack trains: all parameters, response-only cross-entropy on the (prompt, harmful response) rows of --data, AdamW (β 0.9/0.999, ε 1e-8, no weight decay), linear warm-up over ⌈10%⌉ of the steps then cosine, gradient clipping at 1, batches in the attack's seeded order — the rows tokenized by Temper (--template, --max-length as temper attack takes them) with each step's indices, so the engine's losses equal temper attack --log-losses. --steps is the run length (the grid's largest budget). The job only trains: import the result (temper job import JOB OUT) and measure harm on OUT with temper eval or an audit. LoRA attacks are not exported. METHODS.md §3.

        Example: temper job export attack hardened --data harmful-sft.jsonl --lr 3e-4 --seed 0 --steps 100 --out attack-job
        """)

    @Argument(help: "The model folder to attack.") var input: String
    @Option(name: .long, help: "JSONL of (prompt, harmful response) rows to fine-tune on (--world W: its harmful_a_train split).") var data: String?
    @Option(name: .long, help: "The attack's peak learning rate (one value of temper attack --lrs).") var lr: Double = 1e-4
    @Option(name: .long, help: "The run's seed (temper attack's seeds are 0, 1, …): the batch order.") var seed: UInt64 = 0
    @Option(name: .long, help: "Optimizer steps (the largest budget of temper attack --steps).") var steps: Int = 100
    @Option(name: .long, help: "Attack batch size.") var batch: Int = 8
    @Flag(name: .long, help: "Replace JOB if it exists.") var force = false
    @OptionGroup var world: WorldPresetOptions
    @OptionGroup var text: TextOptions
    @OptionGroup var job: JobOutputOptions
    @OptionGroup var format: OutputOptions

    func validate() throws {
        guard lr > 0, lr.isFinite else { throw ValidationError("--lr must be positive") }
        guard steps > 0, batch > 0 else { throw ValidationError("--steps and --batch must be positive") }
    }

    func run() throws {
        let modelURL = try InputPath.model(input)
        let preset = try world.preset()
        try preset?.checkModel(modelURL)
        guard let train = try DataArgument.rows(data, role: "attack", option: "--data", world: preset, split: WorldPreset.harmfulSplit) else {
            throw UsageError("give --data FILE.jsonl (or --world W)")
        }
        let textOptions = try text.options(world: preset)
        let attack = FineTuningAttackJob(learningRate: lr, seed: seed, steps: steps, batchSize: batch, maxLength: textOptions.maxLength)
        let result = try attack.exportJob(modelFolder: modelURL, train: train,
                                          options: try job.options(format: textOptions.format, replace: force))
        try job.report(result, json: format.json)
    }
}
