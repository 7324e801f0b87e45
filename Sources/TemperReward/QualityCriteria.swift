import Foundation

/// The six quality criteria of a CTE (Wehner et al. 2024, `quality_metrics/` of the authors' code).
public enum Criterion: String, CaseIterable, Codable, Sendable {
    case validity, proximity, diversity, stateImportance = "state_importance", realisticness, sparsity
}

/// One value per criterion (raw or normalised).
public struct CriteriaValues: Codable, Equatable, Sendable {
    public var validity = 0.0, proximity = 0.0, diversity = 0.0, stateImportance = 0.0, realisticness = 0.0, sparsity = 0.0
    public init() {}
    public subscript(c: Criterion) -> Double {
        get {
            switch c {
            case .validity: return validity
            case .proximity: return proximity
            case .diversity: return diversity
            case .stateImportance: return stateImportance
            case .realisticness: return realisticness
            case .sparsity: return sparsity
            }
        }
        set {
            switch c {
            case .validity: validity = newValue
            case .proximity: proximity = newValue
            case .diversity: diversity = newValue
            case .stateImportance: stateImportance = newValue
            case .realisticness: realisticness = newValue
            case .sparsity: sparsity = newValue
            }
        }
    }
    enum CodingKeys: String, CodingKey {
        case validity, proximity, diversity, stateImportance = "state_importance", realisticness, sparsity
    }
}

/// Weights of the weighted sum; `--weights validity=1,proximity=0.5,…` (unnamed stay 1).
public struct CriterionWeights: Codable, Equatable, Sendable {
    public var values = CriteriaValues()
    public init() { for c in Criterion.allCases { values[c] = 1 } }

    public static func parse(_ text: String) throws -> CriterionWeights {
        var w = CriterionWeights()
        for item in text.split(separator: ",") where !item.trimmingCharacters(in: .whitespaces).isEmpty {
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let c = Criterion(rawValue: parts[0]), let v = Double(parts[1]), v.isFinite, v >= 0 else {
                throw RewardError.invalidArgument("--weights takes name=value pairs (names: "
                    + Criterion.allCases.map(\.rawValue).joined(separator: ", ") + "; values ≥ 0), got '\(item)'")
            }
            w.values[c] = v
        }
        return w
    }

    public func encode(to encoder: Encoder) throws { try values.encode(to: encoder) }
    public init(from decoder: Decoder) throws { values = try CriteriaValues(from: decoder) }
}

/// Min–max ranges per criterion, fixed before generation (the reference's
/// `normalisation_values.pkl`): N(x) = (x − min)/(max − min).
public struct Normalisation: Codable, Equatable, Sendable {
    public var minimum = CriteriaValues(), maximum = CriteriaValues()
    public init() { for c in Criterion.allCases { maximum[c] = 1 } }
    public init(samples: [CriteriaValues]) {
        for c in Criterion.allCases {
            let values = samples.map { $0[c] }
            minimum[c] = values.min() ?? 0
            maximum[c] = values.max() ?? 1
        }
    }
    public func normalise(_ v: CriteriaValues) -> CriteriaValues {
        var out = CriteriaValues()
        for c in Criterion.allCases {
            let span = maximum[c] - minimum[c]
            out[c] = span > 1e-12 ? (v[c] - minimum[c]) / span : 0
        }
        return out
    }
}

/// The explanations shown so far (for diversity).
public struct ExplanationMemory: Sendable {
    public var originals: [Trajectory] = [], counterfactuals: [Trajectory] = [], starts: [Int] = []
    public init() {}
    public mutating func add(original: Trajectory, counterfactual: Trajectory, start: Int) {
        originals.append(original); counterfactuals.append(counterfactual); starts.append(start)
    }
}

public enum QualityCriteria {
    /// |mean r̂(τ) − mean r̂(τ')| (`validity_single_partial`).
    public static func validity(_ org: Trajectory, _ cf: Trajectory) throws -> Double {
        try nonEmpty(org, cf, "validity")
        return abs(org.meanReward - cf.meanReward)
    }

    /// Modified Hausdorff distance (Dubuisson & Jain 1994) between the state–action pairs
    /// (s_{i+1}, a_i) of both parts, as `distance_subtrajectories`; the pair distance is
    /// `state_action_diff` for this world: 0.5·[a ≠ a'] + |people left − people left'| +
    /// 1.5·Manhattan distance. Smaller is closer; the quality subtracts it.
    public static func proximity(_ org: Trajectory, _ cf: Trajectory) throws -> Double {
        guard org.actions.count > 0, cf.actions.count > 0 else {
            throw RewardError.emptyTrajectory(context: "proximity needs at least one action on both sides")
        }
        let (n, m) = (org.actions.count, cf.actions.count)
        var table = [Double](repeating: 0, count: n * m)
        for i in 0..<n {
            for j in 0..<m {
                let s1 = org.states[i + 1], s2 = cf.states[j + 1]
                var d = org.actions[i] != cf.actions[j] ? 0.5 : 0
                d += Double(abs(s1.savedMask.nonzeroBitCount - s2.savedMask.nonzeroBitCount))
                d += 1.5 * Double(s1.position.manhattan(s2.position))
                table[i * m + j] = d
            }
        }
        let ab = (0..<n).map { i in (0..<m).map { table[i * m + $0] }.min() ?? 0 }.reduce(0, +) / Double(n)
        let ba = (0..<m).map { j in (0..<n).map { table[$0 * m + j] }.min() ?? 0 }.reduce(0, +) / Double(m)
        return max(ab, ba)
    }

    /// Length, start-time and up/down diversity against the explanations shown so far
    /// (`diversity_single`); 0 for the first explanation.
    public static func diversity(_ org: Trajectory, _ cf: Trajectory, start: Int, memory: ExplanationMemory) throws -> Double {
        try nonEmpty(org, cf, "diversity")
        guard !memory.starts.isEmpty else { return 0 }
        let length = closestMean(Double(cf.count), memory.counterfactuals.map { Double($0.count) })
        let time = closestMean(Double(start), memory.starts.map(Double.init))
        let diff = org.meanReward - cf.meanReward
        let previous = zip(memory.originals, memory.counterfactuals).map { $0.meanReward - $1.meanReward }
        let down = previous.filter { $0 >= 0 }.count, up = previous.count - down
        let upDown = Double(diff >= 0 ? up : down) / Double(previous.count)
        return length + time + upDown
    }

    /// Mean distance from `value` to its k nearest previous values, k = max(round(n/4), min(n, 3))
    /// (Python's round: halves to even).
    static func closestMean(_ value: Double, _ previous: [Double]) -> Double {
        let k = max(Int((Double(previous.count) * 0.25).rounded(.toNearestOrEven)), min(previous.count, 3))
        let nearest = previous.map { abs($0 - value) }.sorted().prefix(k)
        return nearest.reduce(0, +) / Double(max(1, nearest.count))
    }

    /// −entropy of the policy at the deviation state (`critical_state_single`): high when one
    /// action clearly matters there.
    public static func stateImportance(_ org: Trajectory, context: ExplanationContext) throws -> Double {
        guard let first = org.states.first else { throw RewardError.emptyTrajectory(context: "state importance") }
        return context.negativeEntropy(first)
    }

    /// mean r̂(τ') − mean r̂(τ) (`realisticness_single_partial`: the reference measures how
    /// realistic a counterfactual is by the reward it earns, not by its likelihood).
    public static func realisticness(_ org: Trajectory, _ cf: Trajectory) throws -> Double {
        try nonEmpty(org, cf, "realisticness")
        return cf.meanReward - org.meanReward
    }

    /// −(|τ| + |τ'|) in states (`sparsitiy_single_partial`): shorter explanations are sparser.
    public static func sparsity(_ org: Trajectory, _ cf: Trajectory) throws -> Double {
        try nonEmpty(org, cf, "sparsity")
        return -Double(org.count + cf.count)
    }

    public static func all(_ org: Trajectory, _ cf: Trajectory, start: Int, memory: ExplanationMemory,
                           context: ExplanationContext) throws -> CriteriaValues {
        var v = CriteriaValues()
        v.validity = try validity(org, cf)
        v.proximity = try proximity(org, cf)
        v.diversity = try diversity(org, cf, start: start, memory: memory)
        v.stateImportance = try stateImportance(org, context: context)
        v.realisticness = try realisticness(org, cf)
        v.sparsity = try sparsity(org, cf)
        return v
    }

    /// Σ w·N(criterion) over `using`, proximity with a minus sign (`evaluate_qc`).
    public static func quality(_ raw: CriteriaValues, normalisation: Normalisation, weights: CriterionWeights,
                               using: [Criterion] = Criterion.allCases) -> Double {
        let n = normalisation.normalise(raw)
        return using.reduce(0) { $0 + ($1 == .proximity ? -1 : 1) * weights.values[$1] * n[$1] }
    }

    static func nonEmpty(_ org: Trajectory, _ cf: Trajectory, _ what: String) throws {
        guard !org.isEmpty, !cf.isEmpty else { throw RewardError.emptyTrajectory(context: "\(what) of an empty original or counterfactual") }
    }
}
