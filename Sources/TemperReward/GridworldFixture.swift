import Foundation
import TemperFormats
import TemperIntegrity
import TemperText

/// `temper fixture gridworld`: a world, its demonstrator, demonstrations and a reward learned
/// from preferences, written as files so the audit reads artifacts, not objects in memory.
public struct GridworldFixtureSummary: Codable, Sendable {
    public var seed: UInt64
    public var side: Int
    public var people: Int
    public var horizon: Int
    public var demonstrations: Int
    public var meanTrueReturn: Double
    public var preferenceLoss: Double
    /// Fresh preference pairs the learned reward orders as the true reward does.
    public var heldOutPreferenceAgreement: Double
    public var rewardManifestSHA256: String
    public var seconds: Double
    enum CodingKeys: String, CodingKey {
        case seed, side, people, horizon, demonstrations, meanTrueReturn = "mean_true_return", preferenceLoss = "preference_loss"
        case heldOutPreferenceAgreement = "held_out_preference_agreement", rewardManifestSHA256 = "reward_manifest_sha256", seconds
    }
}

public enum GridworldFixture {
    public static let environmentFile = "env.json", policyFile = "policy.safetensors"
    public static let demonstrationsFile = "demonstrations.json", rewardFolder = "reward"

    struct Demonstrations: Codable {
        var trueReturns: [Double]
        var trajectories: [TrajectoryRecord]
        enum CodingKeys: String, CodingKey { case trueReturns = "true_returns", trajectories }
    }

    /// Writes env.json, policy.safetensors (V_t(s), [horizon+1, states]), demonstrations.json
    /// and reward/ (config.json, model.safetensors, temper.provenance.json) into `folder`.
    public static func build(into folder: URL, side: Int, people: Int, seed: UInt64, demonstrations: Int,
                             training: PreferenceTrainingConfig, temperVersion: String,
                             log: (String) -> Void = { _ in }) throws -> GridworldFixtureSummary {
        let clock = Date()
        let world = try GridworldGenerator.make(side: side, people: people, seed: seed)
        try GridworldFile.write(world, to: folder.appendingPathComponent(environmentFile))
        log("world \(side)×\(side), \(people) people, horizon \(world.horizon): soft value iteration over \(world.stateCount) states")
        let policy = try world.softOptimalPolicy()
        try SafetensorsWriter.write(to: folder.appendingPathComponent(policyFile),
                                    tensors: [TensorSpec(name: "values", dtype: .f32, shape: [world.horizon + 1, world.stateCount])],
                                    metadata: [("format", "pt"), ("temper.content", "soft value V_t(s), s = cell·2^people + saved mask")]) { _ in
            policy.values.flatMap { v -> [UInt8] in
                let bits = Float(v).bitPattern.littleEndian
                return (0..<4).map { UInt8(truncatingIfNeeded: bits >> (8 * $0)) }
            }
        }
        log("learning the reward from \(training.pairs) preference pairs (Bradley–Terry)")
        let result = try PreferenceLearning.train(world: world, policy: policy, config: training, log: log)
        let rewardURL = folder.appendingPathComponent(rewardFolder)
        do { try FileManager.default.createDirectory(at: rewardURL, withIntermediateDirectories: true) } catch {
            throw RewardError.io(path: rewardURL.path, reason: error.localizedDescription)
        }
        try result.model.save(folder: rewardURL)
        let context = try ExplanationContext(world: world, policy: policy, reward: result.model)
        var rng = Xoshiro256StarStar(seed: seed, stream: 0xDE0)
        let demos = RewardExplainer.originals(context, count: demonstrations, rng: &rng)
        let trueReturns = demos.map { d in zip(d.states, d.savedOnArrival).reduce(0) { $0 + world.trueReward(of: $1.0, saved: $1.1) } }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try AtomicFile.write(try encoder.encode(Demonstrations(trueReturns: trueReturns, trajectories: demos.map(TrajectoryRecord.init))),
                             to: folder.appendingPathComponent(demonstrationsFile))
        let trainingJSON = try OrderedJSON.parse(Array(try encoder.encode(training)))
        let config = OrderedJSON.object([
            .init(key: "method", value: .string("bradley-terry preferences")),
            .init(key: "side", value: .number("\(side)")), .init(key: "people", value: .number("\(people)")),
            .init(key: "training", value: trainingJSON),
        ])
        let record = try ProvenanceLog.recordRewrite(operation: "fixture gridworld", config: config, temperVersion: temperVersion,
                                                     seed: seed, started: clock, input: nil, output: rewardURL.path)
        return GridworldFixtureSummary(seed: seed, side: side, people: people, horizon: world.horizon, demonstrations: demos.count,
                                       meanTrueReturn: trueReturns.reduce(0, +) / Double(max(1, trueReturns.count)),
                                       preferenceLoss: result.finalLoss, heldOutPreferenceAgreement: result.heldOutAgreement,
                                       rewardManifestSHA256: record.outputManifestSHA256, seconds: Date().timeIntervalSince(clock))
    }
}
