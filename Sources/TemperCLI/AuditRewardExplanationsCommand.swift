import ArgumentParser
import Foundation
import TemperFormats
import TemperReward

/// `temper audit reward-explanations --reward DIR --env ENV.json --explanations X.json… --report R`.
struct AuditRewardExplanationsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reward-explanations",
        abstract: "Proxy-human evaluation: how much a simple learner learns about the reward from each method's explanations.",
        discussion: """
        For each explanations report (from `temper explain-reward`), replays every original and counterfactual trajectory in the world (a file whose cells or rewards do not follow from its actions and the audited reward is rejected), describes each by nine trajectory features and labels it with the audited reward's mean per state. A proxy — linear regression and a small MLP, --proxy-seeds initialisations each — is trained on 80 % of one method's explanations only (features of both sides in, both mean rewards and their difference out) and tested on the held-out 20 % (in distribution) and on every method's held-out pairs plus fresh rollout pairs (out of distribution). Reports proxy_pearson and proxy_spearman (predicted vs learned mean rewards) and pairwise_accuracy (how often the proxy orders the two trajectories of a pair as the reward does), mean ± sd over initialisations.

        Writes R.json and R.html. Example: temper audit reward-explanations --reward grid/reward --env grid/env.json --explanations out/cte-mcto.json out/cte-random.json --report out/proxy
        """)

    @Option(name: .long, help: "The reward artifact folder the explanations were made for.") var reward: String
    @Option(name: .long, help: "The gridworld (env.json).") var env: String
    @Option(name: .long, parsing: .upToNextOption, help: "Explanations reports (JSON), one per method.") var explanations: [String]
    @Option(name: .long, help: "Proxy initialisations per model and method.") var proxySeeds = 3
    @Option(name: .long, help: "Train each proxy on at most this many of the method's explanations (the held-out 20 % stays the same): how much a few explanations teach.")
    var trainLimit: Int?
    @Option(name: .long, help: "Seed of the train/test split and the fresh pairs.") var seed: UInt64 = 0
    @Option(name: .long, help: "Report path without extension (writes .json and .html).") var report: String
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard !explanations.isEmpty else { throw ValidationError("give at least one --explanations file") }
        guard proxySeeds > 0 else { throw ValidationError("--proxy-seeds must be positive") }
        guard (trainLimit ?? 2) >= 2 else { throw ValidationError("--train-limit must be at least 2") }
    }

    func run() throws {
        let inputs = try RewardInputs.load(reward: try InputPath.require(reward), environment: try InputPath.require(env))
        let files = try explanations.map { try InputPath.require($0) }
        let result = try ProxyEvaluation.run(inputs.context, explanationFiles: files, rewardManifestSHA256: inputs.rewardManifestSHA256,
                                             environment: env, seed: seed, proxySeeds: proxySeeds, trainLimit: trainLimit,
                                             log: Output.progress)
        let written = try ReportFiles.write(result, html: ProxyAuditHTML.page(result), to: URL(fileURLWithPath: report))
        if output.json { FileHandle.standardOutput.write(try ReportFiles.json(result)); return }
        for m in result.methods {
            for kind in ProxyModelKind.allCases {
                let own = m.inDistribution[kind.rawValue]?.mean, ood = m.outOfDistribution[kind.rawValue]?.mean
                func s(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "—" }
                Output.line("\(m.method.rawValue) (\(kind.rawValue)): Pearson \(s(own?.proxyPearson)) own / \(s(ood?.proxyPearson)) ood, "
                            + "Spearman \(s(own?.proxySpearman)) / \(s(ood?.proxySpearman)), pairwise accuracy \(s(own?.pairwiseAccuracy)) / \(s(ood?.pairwiseAccuracy))")
            }
        }
        Output.line("report: \(written.json.path), \(written.html.path)")
    }
}
