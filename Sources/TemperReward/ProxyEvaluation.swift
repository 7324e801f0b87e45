import Foundation
import TemperText

/// Mean and sample standard deviation over the proxy's random initialisations.
public struct ScoreSummary: Codable, Equatable, Sendable {
    public var mean: ProxyScores
    public var standardDeviation: ProxyScores
    enum CodingKeys: String, CodingKey { case mean, standardDeviation = "sd" }

    init(_ runs: [ProxyScores]) {
        func summarise(_ pick: (ProxyScores) -> Double?) -> (Double?, Double?) {
            let v = runs.compactMap(pick)
            return v.isEmpty ? (nil, nil) : (Statistics.mean(v), Statistics.standardDeviation(v))
        }
        let p = summarise(\.proxyPearson), s = summarise(\.proxySpearman), a = summarise { $0.pairwiseAccuracy }, c = summarise(\.contrastivePearson)
        mean = ProxyScores(proxyPearson: p.0, proxySpearman: s.0, pairwiseAccuracy: a.0 ?? 0, contrastivePearson: c.0)
        standardDeviation = ProxyScores(proxyPearson: p.1, proxySpearman: s.1, pairwiseAccuracy: a.1 ?? 0, contrastivePearson: c.1)
    }
}

public struct ProxyMethodResult: Codable, Sendable {
    public var method: GenerationMethod
    public var file: String
    public var explanations: Int
    public var trainPairs: Int
    public var testPairs: Int
    /// Per proxy kind: scores on the method's own held-out explanations and out of distribution.
    public var inDistribution: [String: ScoreSummary]
    public var outOfDistribution: [String: ScoreSummary]
    enum CodingKeys: String, CodingKey {
        case method, file, explanations, trainPairs = "train_pairs", testPairs = "test_pairs"
        case inDistribution = "in_distribution", outOfDistribution = "out_of_distribution"
    }
}

public struct ProxyAuditReport: Codable, Sendable {
    public var format = "temper.reward-explanations-audit"
    public var version = 1
    public var reward: String
    public var rewardManifestSHA256: String
    public var environment: String
    public var proxySeeds: Int
    /// At most this many explanations per method trained the proxy (nil: all 80 %).
    public var trainLimit: Int?
    /// The out-of-distribution test set: every method's held-out pairs plus fresh pairs of
    /// segments of ε-noisy rollouts (ε ∈ {0, 0.5}) that no generator made.
    public var outOfDistributionPairs: Int
    public var freshPairs: Int
    public var methods: [ProxyMethodResult]
    enum CodingKeys: String, CodingKey {
        case format, version, reward, rewardManifestSHA256 = "reward_manifest_sha256", environment, proxySeeds = "proxy_seeds", trainLimit = "train_limit"
        case outOfDistributionPairs = "out_of_distribution_pairs", freshPairs = "fresh_pairs", methods
    }
}

/// `temper audit reward-explanations`: how much a proxy human learns about the reward from
/// each method's explanations alone (the paper's evaluation; 80 % train, 20 % held out).
public enum ProxyEvaluation {
    public static let minimumExplanations = 5

    public static func run(_ context: ExplanationContext, explanationFiles: [URL], rewardManifestSHA256: String, environment: String,
                           seed: UInt64, proxySeeds: Int, trainLimit: Int? = nil, config: ProxyTrainingConfig = ProxyTrainingConfig(),
                           log: (String) -> Void = { _ in }) throws -> ProxyAuditReport {
        guard !explanationFiles.isEmpty else { throw RewardError.invalidArgument("give at least one --explanations file") }
        guard proxySeeds > 0 else { throw RewardError.invalidArgument("--proxy-seeds must be positive") }
        guard (trainLimit ?? 2) >= 2 else { throw RewardError.invalidArgument("--train-limit must be at least 2") }
        var splits: [(method: GenerationMethod, file: String, count: Int, train: [ProxyExample], test: [ProxyExample])] = []
        for url in explanationFiles {
            let report = try ExplanationReport.read(url)
            guard report.rewardManifestSHA256 == rewardManifestSHA256 else {
                throw RewardError.malformedExplanations(path: url.path, reason:
                    "made for the reward with manifest \(report.rewardManifestSHA256), not the audited \(rewardManifestSHA256)")
            }
            guard report.explanations.count >= minimumExplanations else {
                throw RewardError.tooFewExplanations(path: url.path, count: report.explanations.count, needed: minimumExplanations)
            }
            var examples = try report.explanations.enumerated().map { try example($1, index: $0, path: url.path, context: context) }
            var rng = Xoshiro256StarStar(seed: seed, stream: UInt64(splits.count) &+ 0x5B1)
            rng.shuffle(&examples)
            let nTrain = max(2, Int(Double(examples.count) * 0.8))
            // The held-out 20 % stays the same with --train-limit; the proxy sees fewer explanations.
            let train = Array(examples[..<min(nTrain, trainLimit ?? nTrain)])
            splits.append((report.method, url.path, examples.count, train, Array(examples[nTrain...])))
        }
        var rng = Xoshiro256StarStar(seed: seed, stream: 0xF4E)
        let fresh = freshPairs(context, count: max(10, splits.map(\.test.count).max() ?? 0), rng: &rng)
        let ood = splits.flatMap(\.test) + fresh
        var results: [ProxyMethodResult] = []
        for split in splits {
            log("  proxy on \(split.method.rawValue): \(split.train.count) train, \(split.test.count) held out, \(ood.count) out of distribution")
            var own: [String: ScoreSummary] = [:], other: [String: ScoreSummary] = [:]
            for kind in ProxyModelKind.allCases {
                var ownRuns: [ProxyScores] = [], oodRuns: [ProxyScores] = []
                for s in 0..<proxySeeds {
                    let model = try ProxyModel.train(split.train, kind: kind, config: config, seed: seed &+ UInt64(s))
                    if !split.test.isEmpty { ownRuns.append(try model.score(split.test)) }
                    oodRuns.append(try model.score(ood))
                }
                if !ownRuns.isEmpty { own[kind.rawValue] = ScoreSummary(ownRuns) }
                other[kind.rawValue] = ScoreSummary(oodRuns)
            }
            results.append(ProxyMethodResult(method: split.method, file: split.file, explanations: split.count, trainPairs: split.train.count,
                                             testPairs: split.test.count, inDistribution: own, outOfDistribution: other))
        }
        return ProxyAuditReport(reward: context.reward.path, rewardManifestSHA256: rewardManifestSHA256, environment: environment,
                                proxySeeds: proxySeeds, trainLimit: trainLimit, outOfDistributionPairs: ood.count, freshPairs: fresh.count, methods: results)
    }

    /// Replays both sides (the file's cells and rewards must be what the world and the audited
    /// reward produce) and labels them with the audited reward's mean per state.
    static func example(_ r: ExplanationRecord, index: Int, path: String, context: ExplanationContext) throws -> ProxyExample {
        let org = try r.original.replay(context, path: path, index: index)
        let cf = try r.counterfactual.replay(context, path: path, index: index)
        for (stored, side) in [(r.original.rewards, org), (r.counterfactual.rewards, cf)] {
            guard stored.count == side.rewards.count, zip(stored, side.rewards).allSatisfy({ abs($0 - $1) <= 1e-6 * max(1, abs($1)) }) else {
                throw RewardError.invalidTrajectory(path: path, index: index, reason: "stored rewards differ from the audited reward's")
            }
        }
        return ProxyExample(original: ProxyFeatures.of(org, world: context.world), counterfactual: ProxyFeatures.of(cf, world: context.world),
                            originalLabel: org.meanReward, counterfactualLabel: cf.meanReward)
    }

    /// Pairs of random segments (3–10 states) of rollouts, half of them ε = 0.5-noisy.
    static func freshPairs(_ context: ExplanationContext, count: Int, rng: inout Xoshiro256StarStar) -> [ProxyExample] {
        func segment() -> Trajectory {
            let eps = uniform(&rng) < 0.5 ? 0 : 0.5
            let t = context.rollout(from: context.randomStart(&rng), epsilon: eps, rng: &rng)
            let length = min(t.count, 3 + rng.nextInt(below: 8))
            let start = rng.nextInt(below: max(1, t.count - length + 1))
            return t.slice(from: start, through: start + length - 1)
        }
        return (0..<count).map { _ in
            let a = segment(), b = segment()
            return ProxyExample(original: ProxyFeatures.of(a, world: context.world), counterfactual: ProxyFeatures.of(b, world: context.world),
                                originalLabel: a.meanReward, counterfactualLabel: b.meanReward)
        }
    }
}
