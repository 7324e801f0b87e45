import ArgumentParser
import Foundation
import TemperFormats
import TemperReward

/// `temper explain-reward REWARD_DIR --env ENV.json --report OUT`: counterfactual trajectory explanations.
struct ExplainRewardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain-reward",
        abstract: "Explain a learned reward with counterfactual trajectories (MCTO, DaC, step-completion or random).",
        discussion: """
        Reads the reward artifact (config.json + model.safetensors) and the gridworld (env.json), recomputes the demonstrator by soft value iteration, rolls out --count original trajectories from random starts (--seed) and gives each one counterfactual: mcto searches the continuation with Monte-Carlo tree search from the most important states, dac deviates three times and then follows the policy, sc deviates once and steers back to the original, random follows the policy from a random step. Each explanation is scored on validity, proximity, diversity, state importance, realisticness and sparsity, normalised by min–max ranges calibrated once per world and reward, and weighted by --weights (default 1 each; proximity counts negatively).

        Writes OUT.json (every explanation with its trajectories, returns and criteria; the method's mean quality and seconds_per_explanation) and OUT.html (each pair drawn on the grid). The reward folder's manifest digest is recorded, so `temper audit reward-explanations` can check it audits the same artifact.

        Example: temper explain-reward grid/reward --env grid/env.json --method mcto --count 50 --report out/cte-mcto
        """)

    @Argument(help: "The reward artifact folder.") var reward: String
    @Option(name: .long, help: "The gridworld (env.json).") var env: String
    @Option(name: .long, help: "Generation method: mcto, dac, sc or random.") var method: GenerationMethod = .mcto
    @Option(name: .long, help: "Explanations to generate (one per original trajectory).") var count = 20
    @Option(name: .long, help: "Criterion weights, e.g. validity=1,proximity=0.5 (names: validity, proximity, diversity, state_importance, realisticness, sparsity; unnamed stay 1).")
    var weights = ""
    @Option(name: .long, help: "MCTO: search iterations per depth.") var mctoIterations = 5
    @Option(name: .long, help: "MCTO: start states searched (the most important ones).") var mctoStartingPoints = 40
    @Option(name: .long, help: "Seed of the original trajectories and the generators.") var seed: UInt64 = 0
    @Option(name: .long, help: "Report path without extension (writes .json and .html).") var report: String
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard count > 0 else { throw ValidationError("--count must be positive") }
        guard mctoIterations > 0, mctoStartingPoints > 0 else { throw ValidationError("--mcto-iterations and --mcto-starting-points must be positive") }
    }

    func run() throws {
        var settings = GenerationSettings()
        settings.weights = try CriterionWeights.parse(weights)
        settings.mctoIterations = mctoIterations
        settings.mctoStartingPoints = mctoStartingPoints
        let inputs = try RewardInputs.load(reward: try InputPath.require(reward), environment: try InputPath.require(env))
        Output.progress("explaining \(reward) with \(method.rawValue) (\(count) explanations)")
        let result = try RewardExplainer.explain(inputs.context, method: method, count: count, seed: seed, settings: settings,
                                                 environment: env, rewardManifestSHA256: inputs.rewardManifestSHA256, log: Output.progress)
        let files = try ReportFiles.write(result, html: ExplanationReportHTML.page(result, world: inputs.context.world),
                                                to: URL(fileURLWithPath: report))
        if output.json { FileHandle.standardOutput.write(try ReportFiles.json(result)); return }
        Output.line(String(format: "%@: %d explanations, mean quality %.3f, %.4f s per explanation (%.1f per second)",
                           method.rawValue, result.count, result.quality, result.secondsPerExplanation, result.explanationsPerSecond))
        let m = result.meanCriteria
        Output.line(String(format: "  mean criteria: validity %.3f, proximity %.3f, diversity %.3f, state importance %.3f, realisticness %.3f, sparsity %.1f",
                           m.validity, m.proximity, m.diversity, m.stateImportance, m.realisticness, m.sparsity))
        Output.line("report: \(files.json.path), \(files.html.path)")
    }
}
