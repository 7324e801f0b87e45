import Foundation
import TemperText

/// States s_0…s_n, the actions between them (n of them), and for each state whether arriving
/// there saved a person and the reward the explained model gives that arrival.
public struct Trajectory: Sendable, Equatable {
    public var states: [GridState]
    public var actions: [Int]
    public var savedOnArrival: [Bool]
    public var rewards: [Double]

    public init(states: [GridState], actions: [Int], savedOnArrival: [Bool], rewards: [Double]) {
        self.states = states; self.actions = actions; self.savedOnArrival = savedOnArrival; self.rewards = rewards
    }

    public var count: Int { states.count }
    public var isEmpty: Bool { states.isEmpty }
    public var meanReward: Double { rewards.isEmpty ? 0 : rewards.reduce(0, +) / Double(rewards.count) }
    public var totalReward: Double { rewards.reduce(0, +) }

    /// States `from...through` (clamped to the end) and the actions between them.
    public func slice(from start: Int, through end: Int) -> Trajectory {
        let e = min(end, count - 1)
        guard start >= 0, start <= e else { return Trajectory(states: [], actions: [], savedOnArrival: [], rewards: []) }
        return Trajectory(states: Array(states[start...e]), actions: Array(actions[start..<e]),
                          savedOnArrival: Array(savedOnArrival[start...e]), rewards: Array(rewards[start...e]))
    }
}

/// What the explainer works with: the world, the demonstrator's policy and the reward under audit.
public struct ExplanationContext: Sendable {
    public let world: Gridworld
    public let policy: SoftPolicy
    public let reward: RewardModel

    public init(world: Gridworld, policy: SoftPolicy, reward: RewardModel) throws {
        guard reward.config.features == Gridworld.featureNames else {
            throw RewardError.featureMismatch(path: reward.path, expected: Gridworld.featureNames, found: reward.config.features)
        }
        self.world = world; self.policy = policy; self.reward = reward
    }

    public func reward(of s: GridState, saved: Bool) -> Double { reward.evaluate(world.features(of: s, saved: saved)) }

    public func actionProbabilities(_ s: GridState) -> [Double] {
        policy.actionProbabilities(state: world.stateIndex(s), time: s.time)
    }

    /// −H(π(·|s)): the reference's state importance (`critical_state_single`).
    public func negativeEntropy(_ s: GridState) -> Double {
        actionProbabilities(s).reduce(0) { $0 + ($1 > 0 ? $1 * log($1) : 0) }
    }

    /// A one-state trajectory at `s`.
    public func begin(_ s: GridState, saved: Bool) -> Trajectory {
        Trajectory(states: [s], actions: [], savedOnArrival: [saved], rewards: [reward(of: s, saved: saved)])
    }

    /// `t` extended by `action` (no-op past the horizon: the caller checks `canExtend`).
    public func extend(_ t: inout Trajectory, _ action: Int) {
        guard let last = t.states.last, let a = GridAction(rawValue: action) else { return }
        let (next, saved) = world.step(last, a)
        t.states.append(next); t.actions.append(action); t.savedOnArrival.append(saved)
        t.rewards.append(reward(of: next, saved: saved))
    }

    public func canExtend(_ t: Trajectory) -> Bool { (t.states.last?.time ?? world.horizon) < world.horizon }

    /// A policy rollout from `start` to the horizon; with probability `epsilon` per step
    /// the action is uniform instead (ε-noisy demonstrator).
    public func rollout(from start: GridState, epsilon: Double = 0, rng: inout Xoshiro256StarStar) -> Trajectory {
        var t = begin(start, saved: false)
        while canExtend(t), let s = t.states.last {
            let action = uniform(&rng) < epsilon ? rng.nextInt(below: GridAction.count)
                                                 : sample(actionProbabilities(s), &rng)
            extend(&t, action)
        }
        return t
    }

    /// A random free start cell (not an obstacle or a person), uniformly.
    public func randomStart(_ rng: inout Xoshiro256StarStar) -> GridState {
        let reachable = world.reachableCells(from: world.start)
            .filter { !world.obstacles.contains($0) && !world.people.contains($0) }
            .sorted { ($0.y, $0.x) < ($1.y, $1.x) }
        return world.initialState(at: reachable.isEmpty ? world.start : reachable[rng.nextInt(below: reachable.count)])
    }
}

/// A uniform double in [0, 1) from the top 53 bits.
public func uniform(_ rng: inout Xoshiro256StarStar) -> Double { Double(rng.next() >> 11) / Double(1 << 53) }

/// An index drawn from `weights` (need not sum to 1; all-zero draws uniformly).
public func sample(_ weights: [Double], _ rng: inout Xoshiro256StarStar) -> Int {
    let total = weights.reduce(0, +)
    guard total > 0 else { return rng.nextInt(below: max(1, weights.count)) }
    var u = uniform(&rng) * total
    for (i, w) in weights.enumerated() {
        u -= w
        if u < 0 { return i }
    }
    return weights.count - 1
}
