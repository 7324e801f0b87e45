import Foundation
import TemperFormats
import Testing
@testable import TemperReward

@Suite struct ProxyEvaluationTests {
    static func reports() throws -> (ExplanationContext, URL, [URL]) {
        let world = try GridworldGenerator.make(side: 6, people: 2, seed: 3, horizon: 10)
        let context = try TestWorlds.context(world)
        let dir = try TestWorlds.tempDir()
        var files: [URL] = []
        for method in [GenerationMethod.random, .dac] {
            let report = try RewardExplainer.explain(context, method: method, count: 10, seed: 2, settings: GenerationSettings(),
                                                     environment: "env.json", rewardManifestSHA256: "feed")
            let url = dir.appendingPathComponent("\(method.rawValue).json")
            try ReportFiles.json(report).write(to: url)
            files.append(url)
        }
        return (context, dir, files)
    }

    @Test func scoresEachMethodInAndOutOfDistribution() throws {
        let (context, dir, files) = try Self.reports()
        defer { try? FileManager.default.removeItem(at: dir) }
        var config = ProxyTrainingConfig()
        config.linearSteps = 200; config.mlpSteps = 200
        let r = try ProxyEvaluation.run(context, explanationFiles: files, rewardManifestSHA256: "feed", environment: "env.json",
                                        seed: 0, proxySeeds: 2, config: config)
        #expect(r.methods.map(\.method) == [.random, .dac])
        #expect(r.methods.allSatisfy { $0.trainPairs == 8 && $0.testPairs == 2 })
        #expect(r.outOfDistributionPairs == 4 + r.freshPairs && r.freshPairs == 10)
        for m in r.methods {
            for kind in ["linear", "mlp"] {
                let ood = try #require(m.outOfDistribution[kind])
                #expect((0...1).contains(ood.mean.pairwiseAccuracy))
                if let p = ood.mean.proxyPearson { #expect((-1...1).contains(p)) }
            }
        }
        let json = String(decoding: try ReportFiles.json(r), as: UTF8.self)
        #expect(json.contains("\"proxy_pearson\"") && json.contains("\"pairwise_accuracy\"") && json.contains("\"out_of_distribution\""))
    }

    @Test func explanationsOfAnotherRewardOrWithWrongRewardsAreRejected() throws {
        let (context, dir, files) = try Self.reports()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect { _ = try ProxyEvaluation.run(context, explanationFiles: files, rewardManifestSHA256: "beef", environment: "e", seed: 0, proxySeeds: 1) }
            throws: { e in if case .malformedExplanations = e as? RewardError { return true } else { return false } }
        // Same manifest, but the audited reward differs from the one that wrote the rewards.
        let other = try ExplanationContext(world: context.world, policy: context.policy, reward: try TestWorlds.linearReward(bias: 1))
        #expect { _ = try ProxyEvaluation.run(other, explanationFiles: files, rewardManifestSHA256: "feed", environment: "e", seed: 0, proxySeeds: 1) }
            throws: { e in if case .invalidTrajectory = e as? RewardError { return true } else { return false } }
        try Data("{\"format\": \"nope\"}".utf8).write(to: files[0])
        #expect(throws: RewardError.self) { try ProxyEvaluation.run(context, explanationFiles: files, rewardManifestSHA256: "feed", environment: "e", seed: 0, proxySeeds: 1) }
    }
}
