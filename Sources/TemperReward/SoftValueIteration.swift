import Foundation

/// A deterministic finite-horizon MDP in tables: `next[s·A + a]` and `reward[s·A + a]`
/// (the reward of the arrival), the same at every time step.
public struct TabularMDP: Sendable {
    public var stateCount: Int
    public var actionCount: Int
    public var horizon: Int
    public var next: [Int]
    public var reward: [Double]
    public init(stateCount: Int, actionCount: Int, horizon: Int, next: [Int], reward: [Double]) {
        self.stateCount = stateCount; self.actionCount = actionCount; self.horizon = horizon
        self.next = next; self.reward = reward
    }
}

/// Soft (maximum-entropy) value iteration, backwards over time:
/// Q_t(s,a) = r(s,a) + γ·V_{t+1}(s'), V_t(s) = (1/β)·log Σ_a exp(β·Q_t(s,a)), V_T = 0,
/// π_t(a|s) = exp(β·(Q_t(s,a) − V_t(s))). As β → ∞ this is ordinary value iteration.
public struct SoftPolicy: Sendable {
    public let mdp: TabularMDP
    public let inverseTemperature: Double
    public let discount: Double
    /// V_t(s) at `values[t·S + s]`, t = 0...horizon.
    public let values: [Double]

    public init(mdp: TabularMDP, inverseTemperature: Double, discount: Double) throws {
        let (S, A, T) = (mdp.stateCount, mdp.actionCount, mdp.horizon)
        guard S > 0, A > 0, T >= 0, mdp.next.count == S * A, mdp.reward.count == S * A,
              mdp.next.allSatisfy({ (0..<S).contains($0) }) else {
            throw RewardError.invalidArgument("the MDP tables do not match \(S) states × \(A) actions")
        }
        guard inverseTemperature > 0, discount > 0, discount <= 1 else {
            throw RewardError.invalidArgument("soft value iteration needs β > 0 and γ in (0, 1]")
        }
        self.mdp = mdp; self.inverseTemperature = inverseTemperature; self.discount = discount
        var v = [Double](repeating: 0, count: (T + 1) * S)
        var q = [Double](repeating: 0, count: A)
        for t in stride(from: T - 1, through: 0, by: -1) {
            let later = (t + 1) * S
            for s in 0..<S {
                for a in 0..<A { q[a] = mdp.reward[s * A + a] + discount * v[later + mdp.next[s * A + a]] }
                v[t * S + s] = Self.softMax(q, inverseTemperature)
            }
        }
        values = v
    }

    static func softMax(_ q: [Double], _ beta: Double) -> Double {
        let m = q.max() ?? 0
        return m + log(q.reduce(0) { $0 + exp(beta * ($1 - m)) }) / beta
    }

    /// Q_t(s, ·); beyond the horizon all zero.
    public func qValues(state s: Int, time t: Int) -> [Double] {
        let (S, A) = (mdp.stateCount, mdp.actionCount)
        guard t < mdp.horizon else { return [Double](repeating: 0, count: A) }
        return (0..<A).map { mdp.reward[s * A + $0] + discount * values[(t + 1) * S + mdp.next[s * A + $0]] }
    }

    /// π_t(· | s), summing to 1 (uniform at and beyond the horizon).
    public func actionProbabilities(state s: Int, time t: Int) -> [Double] {
        let q = qValues(state: s, time: t)
        let m = q.max() ?? 0
        let e = q.map { exp(inverseTemperature * ($0 - m)) }
        let z = e.reduce(0, +)
        return e.map { $0 / z }
    }

    public func value(state s: Int, time t: Int) -> Double {
        guard (0...mdp.horizon).contains(t) else { return 0 }
        return values[t * mdp.stateCount + s]
    }
}

extension Gridworld {
    /// The gridworld as tables under its true reward.
    public func tabularMDP() -> TabularMDP {
        let A = GridAction.count
        var next = [Int](repeating: 0, count: stateCount * A), reward = [Double](repeating: 0, count: stateCount * A)
        for s in 0..<stateCount {
            let state = self.state(index: s, time: 0)
            for action in GridAction.allCases {
                let (n, saved) = step(state, action)
                next[s * A + action.rawValue] = stateIndex(n)
                reward[s * A + action.rawValue] = trueReward(of: n, saved: saved)
            }
        }
        return TabularMDP(stateCount: stateCount, actionCount: A, horizon: horizon, next: next, reward: reward)
    }

    /// The demonstrator: soft-optimal for the true reward with the world's policy settings.
    public func softOptimalPolicy() throws -> SoftPolicy {
        try SoftPolicy(mdp: tabularMDP(), inverseTemperature: policy.inverseTemperature, discount: policy.discount)
    }
}
