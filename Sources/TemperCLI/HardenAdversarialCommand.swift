import ArgumentParser
import Foundation
import TemperHarden

/// `temper harden adversarial IN OUT --world WORLD`: the adversarial-loss baseline (METHODS.md §5).
struct HardenAdversarialCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adversarial",
        abstract: "Harden a model with the adversarial loss (learn refusals, push harmful answers away).",
        discussion: """
        Loss per batch of paired rows: CE_m(refusal) − a·CE_m(harmful), with m the answer tokens where the harmful answer and the refusal differ, plus --retain-weight × CE on harmless rows. Known to be superficial: the fine-tuning attack tends to undo it.

        Data as for temper harden repnoise: --harmful pairs (prompt, response, refusal), --retain harmless rows, or --world W.

        Example: temper harden adversarial my-model out/adversarial --harmful pairs.jsonl --retain harmless.jsonl
        """)

    @Argument(help: "The model folder to harden.") var input: String
    @Argument(help: "Output folder (must not exist unless --force).") var output: String
    @OptionGroup var adversarial: AdversarialOptions
    @OptionGroup var training: HardenTrainingOptions
    @OptionGroup var format: OutputOptions

    func run() throws {
        let data = try training.data(retainWeight: training.retainWeight)
        let transform = try adversarial.transform(training: training, data: data)
        let result = try transform.run(modelFolder: try InputPath.model(input), data: data, output: URL(fileURLWithPath: output),
                                       options: try training.runOptions(input: input))
        try training.report(result, json: format.json)
    }
}

/// The adversarial-loss settings, shared by `harden adversarial` and `job export harden adversarial`.
struct AdversarialOptions: ParsableArguments {
    @Option(name: .long, help: "Weight a of the harmful cross-entropy that is maximised.") var adversarialAlpha: Double = 0.1
    @Flag(name: .long, help: "Every real token instead of the differing answer tokens.") var noMask = false

    func validate() throws {
        guard adversarialAlpha >= 0 else { throw ValidationError("--adversarial-alpha must be ≥ 0") }
    }

    func transform(training: HardenTrainingOptions, data: HardenData) throws -> AdversarialTransform {
        AdversarialTransform(adversarialAlpha: adversarialAlpha, noMask: noMask,
                             training: try training.training(defaults: AdversarialTransform.defaultTraining, data: data))
    }
}
