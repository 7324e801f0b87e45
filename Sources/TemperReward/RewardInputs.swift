import Foundation
import TemperIntegrity

/// The audited artifacts, read from files: the world, its demonstrator (recomputed by soft
/// value iteration from env.json, which fixes it), the reward folder and its manifest digest.
public struct RewardInputs {
    public let context: ExplanationContext
    public let rewardManifestSHA256: String

    public static func load(reward: URL, environment: URL) throws -> RewardInputs {
        let world = try GridworldFile.read(environment)
        let model = try RewardModel.load(folder: reward)
        let context = try ExplanationContext(world: world, policy: try world.softOptimalPolicy(), reward: model)
        return RewardInputs(context: context, rewardManifestSHA256: try ManifestBuilder().digest(folder: reward.path).hex)
    }
}
