import ArgumentParser
import Foundation
import TemperHarden

/// `temper harden repnoise IN OUT --world WORLD`: Representation Noising (METHODS.md §4).
struct HardenRepNoiseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repnoise",
        abstract: "Harden a model with RepNoise (noise the harmful representations, ascend on harmful answers).",
        discussion: """
        Loss per batch of paired rows (the reference's rep_noise_loss):
          CE_m(refusal) + β·mean_l MMD(MLP_l(harmful) on the mask, N(0, I))
          − α·log(mean over final logits and logit lens of CE_m(harmful) + 1)
        with m the answer tokens where the harmful answer and the refusal differ, plus --retain-weight × CE on harmless rows. Ablations: --no-ascent, --no-noise, --no-mask, --no-lens; --freeze-layers K freezes the embeddings and blocks 0...K.

        Example: temper harden repnoise world/model out/repnoise --world world --key key.pem
        """)

    @Argument(help: "The model folder to harden.") var input: String
    @Argument(help: "Output folder (must not exist unless --force).") var output: String
    @Option(name: .long, help: "Weight α of the gradient-ascent term.") var alpha: Double = 1
    @Option(name: .long, help: "Weight β of the noise (MMD) term.") var beta: Double = 0.001
    @Flag(name: .long, help: "Ablation: no gradient ascent on harmful answers.") var noAscent = false
    @Flag(name: .long, help: "Ablation: no MMD-to-noise term.") var noNoise = false
    @Flag(name: .long, help: "Ablation: every real token instead of the differing answer tokens.") var noMask = false
    @Flag(name: .long, help: "Ablation: ascent on the final logits only (no logit lens).") var noLens = false
    @OptionGroup var training: HardenTrainingOptions
    @OptionGroup var format: OutputOptions

    func validate() throws {
        guard alpha >= 0, beta >= 0 else { throw ValidationError("--alpha and --beta must be ≥ 0") }
    }

    func run() throws {
        let transform = RepNoiseTransform(alpha: alpha, beta: beta,
                                          switches: RepNoiseSwitches(noAscent: noAscent, noNoise: noNoise, noMask: noMask, noLens: noLens),
                                          training: try training.training(defaults: RepNoiseTransform.defaultTraining))
        let result = try transform.run(modelFolder: URL(fileURLWithPath: input), world: URL(fileURLWithPath: training.world),
                                       output: URL(fileURLWithPath: output), options: try training.runOptions())
        try training.report(result, json: format.json)
    }
}
