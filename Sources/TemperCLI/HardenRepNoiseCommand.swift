import ArgumentParser
import Foundation
import TemperHarden

/// `temper harden repnoise IN OUT --world WORLD`: Representation Noising (METHODS.md §4).
struct HardenRepNoiseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repnoise",
        abstract: "Harden a model with RepNoise (noise the harmful representations, ascend on harmful answers).",
        discussion: """
        Loss per batch of paired rows (the reference's rep_noise_loss): CE_m(refusal) + β·mean_l MMD(MLP_l(harmful) on the mask, N(0, I)) − α·log(mean over the final logits and the logit lens of CE_m(harmful) + 1), with m the answer tokens where the harmful answer and the refusal differ, plus --retain-weight × CE on harmless rows. Ablations as the reference defines them: --no-ascent, --no-noise, --no-mask, --no-lens; --freeze-layers K freezes the embeddings and blocks 0...K.

        Data: --harmful is a JSONL file whose rows carry prompt, response (the harmful answer) and refusal; --retain a JSONL file of harmless prompt/response rows. Both are recorded in OUT's provenance by SHA-256 and row count, beside the full config. --world W fills in the world's splits for files not given. Works on every decoder Temper loads; pad falls back to eos where the tokenizer has no pad token.

        Example: temper harden repnoise my-model out/repnoise --harmful pairs.jsonl --retain harmless.jsonl --key key.pem
        """)

    @Argument(help: "The model folder to harden.") var input: String
    @Argument(help: "Output folder (must not exist unless --force).") var output: String
    @OptionGroup var repnoise: RepNoiseOptions
    @OptionGroup var training: HardenTrainingOptions
    @OptionGroup var format: OutputOptions

    func run() throws {
        let data = try training.data(retainWeight: training.retainWeight)
        let transform = try repnoise.transform(training: training, data: data)
        let result = try transform.run(modelFolder: try InputPath.model(input), data: data, output: URL(fileURLWithPath: output),
                                       options: try training.runOptions(input: input))
        try training.report(result, json: format.json)
    }
}

/// The RepNoise weights and ablations, shared by `harden repnoise` and `job export harden repnoise`.
struct RepNoiseOptions: ParsableArguments {
    @Option(name: .long, help: "Weight α of the gradient-ascent term.") var alpha: Double = 1
    @Option(name: .long, help: "Weight β of the noise (MMD) term.") var beta: Double = 0.001
    @Flag(name: .long, help: "Ablation: no gradient ascent on harmful answers.") var noAscent = false
    @Flag(name: .long, help: "Ablation: no MMD-to-noise term.") var noNoise = false
    @Flag(name: .long, help: "Ablation (reference -without-mask): HF-style CE over every real token for the final harmful and the refusal terms, noise on every position; the lens terms stay masked.")
    var noMask = false
    @Flag(name: .long, help: "Ablation (reference -without-lens): ascent −α·log(CE) on the final logits only, without the logit lens and without the +1.")
    var noLens = false

    func validate() throws {
        guard alpha >= 0, beta >= 0 else { throw ValidationError("--alpha and --beta must be ≥ 0") }
    }

    func transform(training: HardenTrainingOptions, data: HardenData) throws -> RepNoiseTransform {
        RepNoiseTransform(alpha: alpha, beta: beta,
                          switches: RepNoiseSwitches(noAscent: noAscent, noNoise: noNoise, noMask: noMask, noLens: noLens),
                          training: try training.training(defaults: RepNoiseTransform.defaultTraining, data: data))
    }
}
