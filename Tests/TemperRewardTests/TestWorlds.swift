import Foundation
@testable import TemperReward

/// Small hand-made worlds and models shared by the tests.
enum TestWorlds {
    /// 5×4: start (0,0), goal (4,0), people at (2,0) and (0,3), an obstacle at (1,1), a wall at (2,1).
    static func small(horizon: Int = 8, weights: [Double] = GridworldGenerator.trueRewardWeights) -> Gridworld {
        Gridworld(width: 5, height: 4, horizon: horizon, start: GridPoint(x: 0, y: 0), goal: GridPoint(x: 4, y: 0),
                  people: [GridPoint(x: 2, y: 0), GridPoint(x: 0, y: 3)], obstacles: [GridPoint(x: 1, y: 1)],
                  walls: [GridPoint(x: 2, y: 1)], trueRewardWeights: weights)
    }

    /// A linear reward r = w·features (no hidden layer).
    static func linearReward(_ w: [Double] = GridworldGenerator.trueRewardWeights, bias: Double = 0) throws -> RewardModel {
        try RewardModel(config: RewardModelConfig(features: Gridworld.featureNames, hiddenSizes: []), weights: [w], biases: [[bias]])
    }

    static func context(_ world: Gridworld = small(), reward: RewardModel? = nil) throws -> ExplanationContext {
        try ExplanationContext(world: world, policy: try world.softOptimalPolicy(), reward: try reward ?? linearReward())
    }

    /// A trajectory with the given cells, actions and rewards (saved masks and times filled in simply).
    static func trajectory(_ cells: [(Int, Int)], actions: [Int], rewards: [Double], masks: [Int]? = nil, startTime: Int = 0) -> Trajectory {
        Trajectory(states: cells.enumerated().map { i, c in
                       GridState(position: GridPoint(x: c.0, y: c.1), savedMask: masks?[i] ?? 0, time: startTime + i) },
                   actions: actions, savedOnArrival: cells.map { _ in false }, rewards: rewards)
    }

    static func tempDir() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("temper-reward-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
