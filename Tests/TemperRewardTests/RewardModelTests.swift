import Foundation
import Testing
import TemperFormats
@testable import TemperReward

@Suite struct RewardModelTests {
    func model(hidden: [Int] = [3]) throws -> RewardModel {
        let config = RewardModelConfig(features: Gridworld.featureNames, hiddenSizes: hidden)
        let sizes = RewardModel.layerSizes(config)
        return try RewardModel(config: config, weights: sizes.map { (o, i) in (0..<(o * i)).map { Double($0 % 5) * 0.25 - 0.5 } },
                               biases: sizes.map { (o, _) in (0..<o).map { Double($0) * 0.125 } })
    }

    @Test func forwardPassHasKnownValue() throws {
        let linear = try TestWorlds.linearReward([1, 2, 3, 4, 5, 6], bias: 0.5)
        #expect(linear.evaluate([1, 1, 1, 1, 1, 1]) == 21.5)
        // One tanh layer of width 1 then the head: 2·tanh(1·x0 + 0) + 1
        let tiny = try RewardModel(config: RewardModelConfig(features: Gridworld.featureNames, hiddenSizes: [1]),
                                   weights: [[1, 0, 0, 0, 0, 0], [2]], biases: [[0], [1]])
        #expect(abs(tiny.evaluate([0.5, 9, 9, 9, 9, 9]) - (2 * tanh(0.5) + 1)) < 1e-12)
    }

    @Test func artifactRoundTrips() throws {
        let dir = try TestWorlds.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let m = try model(hidden: [4, 3])
        try m.save(folder: dir)
        let back = try RewardModel.load(folder: dir)
        #expect(back.config == m.config)
        let x = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]
        #expect(abs(back.evaluate(x) - m.evaluate(x)) < 1e-6)  // F32 storage
        let names = try SafetensorsFile(url: dir.appendingPathComponent("model.safetensors")).tensors.map(\.name).sorted()
        #expect(names == ["head.bias", "head.weight", "layers.0.bias", "layers.0.weight", "layers.1.bias", "layers.1.weight"])
    }

    @Test func featuresThatDoNotMatchTheWorldAreRejected() throws {
        let dir = try TestWorlds.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let swapped = RewardModelConfig(features: ["time", "person_saved", "obstacle_hit", "distance_to_goal", "at_goal", "people_left"], hiddenSizes: [])
        try RewardModel(config: swapped, weights: [[1, 0, 0, 0, 0, 0]], biases: [[0]]).save(folder: dir)
        let loaded = try RewardModel.load(folder: dir)
        let world = TestWorlds.small()
        #expect { _ = try ExplanationContext(world: world, policy: try world.softOptimalPolicy(), reward: loaded) } throws: { e in
            guard case let .featureMismatch(_, expected, found) = e as? RewardError else { return false }
            return expected == Gridworld.featureNames && found.first == "time"
        }
    }

    @Test func brokenArtifactsAreTypedErrors() throws {
        let dir = try TestWorlds.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: RewardError.self) { try RewardModel.load(folder: dir) }  // no config.json
        try model().save(folder: dir)
        // Claim a wider hidden layer than the weights have.
        let config = dir.appendingPathComponent("config.json")
        let text = try String(contentsOf: config, encoding: .utf8).replacingOccurrences(of: "3", with: "7")
        try Data(text.utf8).write(to: config)
        #expect { _ = try RewardModel.load(folder: dir) } throws: { e in
            if case .shapeMismatch(_, "layers.0.weight", [7, 6], [3, 6]) = e as? RewardError { return true } else { return false }
        }
        try Data("{\"model_type\": \"llama\"}".utf8).write(to: config)
        #expect { _ = try RewardModel.load(folder: dir) } throws: { ($0 as? RewardError)?.isBadInput == true }
    }
}
