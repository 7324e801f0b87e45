import Foundation

/// A partial trajectory as stored in an explanations report: the first state, the actions,
/// the cells visited and the rewards the explained model gave. Readers replay the actions
/// and reject anything the world cannot produce.
public struct TrajectoryRecord: Codable, Equatable, Sendable {
    public struct Start: Codable, Equatable, Sendable {
        public var x: Int, y: Int, savedMask: Int, time: Int, savedOnArrival: Bool
        enum CodingKeys: String, CodingKey { case x, y, savedMask = "saved_mask", time, savedOnArrival = "saved_on_arrival" }
    }
    public var start: Start
    public var actions: [Int]
    public var positions: [[Int]]
    public var rewards: [Double]

    public init(_ t: Trajectory) throws {
        guard let s = t.states.first else { throw RewardError.emptyTrajectory(context: "cannot store an empty trajectory") }
        start = Start(x: s.position.x, y: s.position.y, savedMask: s.savedMask, time: s.time, savedOnArrival: t.savedOnArrival[0])
        actions = t.actions
        positions = t.states.map { [$0.position.x, $0.position.y] }
        rewards = t.rewards
    }

    /// The trajectory these actions produce from `start`, with rewards from `context`'s model.
    /// Throws when the start is not a state of the world or the stored cells do not follow.
    public func replay(_ context: ExplanationContext, path: String, index: Int) throws -> Trajectory {
        let world = context.world
        let p = GridPoint(x: start.x, y: start.y)
        guard world.isFree(p) else { throw RewardError.unreachableState(path: path, index: index, x: p.x, y: p.y) }
        guard (0..<world.maskCount).contains(start.savedMask), (0...world.horizon).contains(start.time) else {
            throw RewardError.invalidTrajectory(path: path, index: index, reason: "saved mask \(start.savedMask) or time \(start.time) out of range")
        }
        guard !actions.isEmpty else { throw RewardError.emptyTrajectory(context: "\(path): trajectory \(index) has no actions") }
        guard positions.count == actions.count + 1 else {
            throw RewardError.invalidTrajectory(path: path, index: index, reason: "\(positions.count) positions for \(actions.count) actions")
        }
        guard start.time + actions.count <= world.horizon else {
            throw RewardError.invalidTrajectory(path: path, index: index, reason: "runs past the horizon \(world.horizon)")
        }
        var t = context.begin(GridState(position: p, savedMask: start.savedMask, time: start.time), saved: start.savedOnArrival)
        for (i, a) in actions.enumerated() {
            guard GridAction(rawValue: a) != nil else {
                throw RewardError.invalidTrajectory(path: path, index: index, reason: "action \(a) at step \(i) is not 0...4")
            }
            context.extend(&t, a)
            let xy = positions[i + 1]
            guard xy.count == 2 else { throw RewardError.invalidTrajectory(path: path, index: index, reason: "position \(i + 1) is not [x, y]") }
            if !world.isFree(GridPoint(x: xy[0], y: xy[1])) {
                throw RewardError.unreachableState(path: path, index: index, x: xy[0], y: xy[1])
            }
            guard let s = t.states.last, s.position == GridPoint(x: xy[0], y: xy[1]) else {
                throw RewardError.invalidTrajectory(path: path, index: index, reason: "action \(a) at step \(i) does not lead to \(xy)")
            }
        }
        return t
    }
}

/// One explanation in a report: the pair, its returns and criteria.
public struct ExplanationRecord: Codable, Sendable {
    public var index: Int
    public var start: Int
    public var original: TrajectoryRecord
    public var counterfactual: TrajectoryRecord
    public var originalReturn: Double
    public var counterfactualReturn: Double
    public var originalMeanReward: Double
    public var counterfactualMeanReward: Double
    public var criteria: CriteriaValues
    public var normalisedCriteria: CriteriaValues
    public var quality: Double
    public var seconds: Double
    enum CodingKeys: String, CodingKey {
        case index, start, original, counterfactual, originalReturn = "original_return", counterfactualReturn = "counterfactual_return"
        case originalMeanReward = "original_mean_reward", counterfactualMeanReward = "counterfactual_mean_reward"
        case criteria, normalisedCriteria = "normalised_criteria", quality, seconds
    }
}

/// `temper explain-reward`'s JSON (Formats/reward-artifact.md, "Explanations report").
public struct ExplanationReport: Codable, Sendable {
    public static let format = "temper.reward-explanations"
    public var format = ExplanationReport.format
    public var version = 1
    public var method: GenerationMethod
    public var environment: String
    public var reward: String
    /// SHA-256 of the reward folder's Temper manifest: which artifact was explained.
    public var rewardManifestSHA256: String
    public var seed: UInt64
    public var weights: CriterionWeights
    public var normalisation: Normalisation
    public var count: Int
    /// Mean weighted quality of the explanations.
    public var quality: Double
    public var meanCriteria: CriteriaValues
    public var secondsPerExplanation: Double
    public var explanationsPerSecond: Double
    public var explanations: [ExplanationRecord]
    enum CodingKeys: String, CodingKey {
        case format, version, method, environment, reward, rewardManifestSHA256 = "reward_manifest_sha256", seed, weights
        case normalisation, count, quality, meanCriteria = "mean_criteria", secondsPerExplanation = "seconds_per_explanation"
        case explanationsPerSecond = "explanations_per_second", explanations
    }

    public static func read(_ url: URL) throws -> ExplanationReport {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw RewardError.io(path: url.path, reason: error.localizedDescription) }
        let report: ExplanationReport
        do { report = try JSONDecoder().decode(ExplanationReport.self, from: data) } catch {
            throw RewardError.malformedExplanations(path: url.path, reason: GridworldFile.describe(error))
        }
        guard report.format == format, report.version == 1 else {
            throw RewardError.malformedExplanations(path: url.path, reason: "format '\(report.format)' v\(report.version), expected '\(format)' v1")
        }
        return report
    }
}
