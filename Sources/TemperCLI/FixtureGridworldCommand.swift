import ArgumentParser
import Foundation
import TemperFormats
import TemperReward

/// `temper fixture gridworld`: the reward-explanation fixture (METHODS.md §10).
struct FixtureGridworldCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gridworld",
        abstract: "Generate a gridworld, its demonstrator, demonstrations and a learned reward artifact.",
        discussion: """
        Deterministic from --seed. Writes OUT/env.json (the world: walls, obstacles, people to save, a goal, the true reward and the demonstrator's settings), OUT/policy.safetensors (the soft value function V_t(s) of the demonstrator, soft-optimal for the true reward by value iteration), OUT/demonstrations.json (rollouts of the demonstrator) and OUT/reward/ (config.json, model.safetensors and temper.provenance.json: an MLP over the six state features, learned from pairwise preferences between trajectory segments with the Bradley–Terry loss). Sign the reward folder with `temper sign OUT/reward --key K` if it is to be released.

        Example: temper fixture gridworld --seed 1 --out grid && temper explain-reward grid/reward --env grid/env.json --report out/cte
        """)

    @Option(name: .long, help: "Seed of the world, the demonstrations and the reward training.") var seed: UInt64 = 0
    @Option(name: .long, help: "Output folder (must not exist unless --force).") var out: String
    @Option(name: .long, help: "Width and height of the grid.") var side = 10
    @Option(name: .long, help: "People to save (at most 8).") var people = 3
    @Option(name: .long, help: "Demonstrations to write.") var demonstrations = 20
    @Option(name: .long, help: "Preference pairs the reward learns from.") var pairs = 512
    @Option(name: .long, help: "Adam steps of the reward training.") var steps = 400
    @Flag(name: .long, help: "Replace OUT if it exists.") var force = false
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard (4...64).contains(side) else { throw ValidationError("--side must be in 4...64") }
        guard (0...8).contains(people) else { throw ValidationError("--people must be in 0...8") }
        guard demonstrations >= 0, pairs > 0, steps >= 0 else { throw ValidationError("--demonstrations and --steps must be ≥ 0, --pairs > 0") }
    }

    func run() throws {
        let folder = try AtomicFolder(url: URL(fileURLWithPath: out), replace: force)
        var training = PreferenceTrainingConfig()
        training.seed = seed; training.pairs = pairs; training.steps = steps
        let summary: GridworldFixtureSummary
        do {
            summary = try GridworldFixture.build(into: folder.stagingURL, side: side, people: people, seed: seed, demonstrations: demonstrations,
                                                 training: training, temperVersion: TemperVersion.string, log: Output.progress)
            try folder.commit()
        } catch {
            folder.abandon()
            throw error
        }
        if output.json { try Output.json(summary); return }
        Output.line("gridworld written to \(out) (seed \(seed), \(side)×\(side), \(people) people, horizon \(summary.horizon), \(String(format: "%.1f", summary.seconds)) s)")
        Output.line(String(format: "  demonstrations: %d, mean true return %.3f", summary.demonstrations, summary.meanTrueReturn))
        Output.line(String(format: "  learned reward: preference loss %.4f, orders %.1f%% of fresh pairs as the true reward", summary.preferenceLoss, 100 * summary.heldOutPreferenceAgreement))
        Output.line("  reward artifact: \(out)/reward (manifest \(summary.rewardManifestSHA256.prefix(16))…)")
    }
}
