import Foundation
import TemperText

/// Generates CTEs for a learned reward: original trajectories are fresh rollouts of the
/// demonstrator from random starts (the reference's `generate_original_trajectories.py`);
/// each gets one counterfactual from the chosen method, scored on the six criteria.
public enum RewardExplainer {
    /// The normalisation is fixed per world and reward (not per run or method), so that
    /// qualities of different methods and seeds are comparable: min–max over a calibration
    /// sample of random, DaC and SC explanations of 8 separate rollouts (seed stream 0xCA1).
    public static func calibrate(_ context: ExplanationContext, settings: GenerationSettings) throws -> Normalisation {
        var rng = Xoshiro256StarStar(seed: context.world.seed, stream: 0xCA1)
        let generator = CounterfactualGenerator(context: context, settings: settings)
        var memory = ExplanationMemory()
        var samples: [CriteriaValues] = []
        for org in originals(context, count: 8, rng: &rng) {
            var pairs = try (0..<3).map { _ in try generator.random(org, rng: &rng) }
            pairs.append(try generator.deviateAndContinue(org, memory: memory, rng: &rng))
            pairs.append(try generator.stepCompletion(org, memory: memory, rng: &rng))
            for p in pairs {
                samples.append(try QualityCriteria.all(p.original, p.counterfactual, start: p.start, memory: memory, context: context))
                memory.add(original: p.original, counterfactual: p.counterfactual, start: p.start)
            }
        }
        return Normalisation(samples: samples)
    }

    /// `count` demonstrator rollouts from random starts, each with at least three states.
    public static func originals(_ context: ExplanationContext, count: Int, rng: inout Xoshiro256StarStar) -> [Trajectory] {
        var out: [Trajectory] = []
        var attempts = 0
        while out.count < count, attempts < count * 20 {
            attempts += 1
            let t = context.rollout(from: context.randomStart(&rng), rng: &rng)
            if t.count >= 3 { out.append(t) }
        }
        return out
    }

    public static func explain(_ context: ExplanationContext, method: GenerationMethod, count: Int, seed: UInt64,
                               settings: GenerationSettings, environment: String, rewardManifestSHA256: String,
                               log: (String) -> Void = { _ in }) throws -> ExplanationReport {
        guard count > 0 else { throw RewardError.invalidArgument("--count must be positive") }
        guard context.world.horizon >= 3 else { throw RewardError.invalidArgument("the horizon must be at least 3 to explain") }
        var settings = settings
        settings.normalisation = try calibrate(context, settings: settings)
        var rng = Xoshiro256StarStar(seed: seed, stream: 0x0E1)
        let orgs = originals(context, count: count, rng: &rng)
        guard orgs.count == count else { throw RewardError.emptyTrajectory(context: "the demonstrator produced too few trajectories") }
        let generator = CounterfactualGenerator(context: context, settings: settings)
        var memory = ExplanationMemory()
        var records: [ExplanationRecord] = []
        var total = 0.0
        for (i, org) in orgs.enumerated() {
            let clock = Date()
            let pair: CounterfactualPair
            switch method {
            case .random: pair = try generator.random(org, rng: &rng)
            case .dac: pair = try generator.deviateAndContinue(org, memory: memory, rng: &rng)
            case .sc: pair = try generator.stepCompletion(org, memory: memory, rng: &rng)
            case .mcto: pair = try generator.mcto(org, memory: memory, rng: &rng)
            }
            let seconds = Date().timeIntervalSince(clock)
            total += seconds
            let raw = try QualityCriteria.all(pair.original, pair.counterfactual, start: pair.start, memory: memory, context: context)
            let quality = QualityCriteria.quality(raw, normalisation: settings.normalisation, weights: settings.weights)
            memory.add(original: pair.original, counterfactual: pair.counterfactual, start: pair.start)
            records.append(ExplanationRecord(
                index: i, start: pair.start, original: try TrajectoryRecord(pair.original), counterfactual: try TrajectoryRecord(pair.counterfactual),
                originalReturn: pair.original.totalReward, counterfactualReturn: pair.counterfactual.totalReward,
                originalMeanReward: pair.original.meanReward, counterfactualMeanReward: pair.counterfactual.meanReward,
                criteria: raw, normalisedCriteria: settings.normalisation.normalise(raw), quality: quality, seconds: seconds))
            if (i + 1) % 25 == 0 { log("  \(method.rawValue): \(i + 1)/\(count) explanations") }
        }
        var mean = CriteriaValues()
        for c in Criterion.allCases { mean[c] = records.map { $0.criteria[c] }.reduce(0, +) / Double(records.count) }
        return ExplanationReport(method: method, environment: environment, reward: context.reward.path,
                                 rewardManifestSHA256: rewardManifestSHA256, seed: seed, weights: settings.weights,
                                 normalisation: settings.normalisation, count: records.count,
                                 quality: records.map(\.quality).reduce(0, +) / Double(records.count), meanCriteria: mean,
                                 secondsPerExplanation: total / Double(records.count),
                                 explanationsPerSecond: total > 0 ? Double(records.count) / total : 0, explanations: records)
    }
}
