import Foundation
import TemperText

/// A search problem over action sequences ("paths") from a fixed root.
public protocol TreeSearchProblem {
    /// The actions that may follow `path` (non-empty unless `path` is terminal).
    func actions(after path: [Int]) -> [Int]
    func isTerminal(_ path: [Int]) -> Bool
    /// The value of a terminal path.
    func value(of path: [Int]) -> Double
    /// The next action of a simulation (rollout) from `path`.
    func rolloutAction(after path: [Int], rng: inout Xoshiro256StarStar) -> Int
}

/// Monte-Carlo tree search as in the reference's `counterfactual_mcto.py`: at each depth run
/// `iterations` rounds of select (UCB1) → expand (one untried action) → simulate (rollout to
/// a terminal path) → back-propagate (running mean); then commit to the child with the highest
/// Q and continue from it, reusing the statistics. The reference shares one bandit counter
/// across all nodes; here UCB1 uses each node's own visit counts (textbook UCB1).
public struct MonteCarloTreeSearch<Problem: TreeSearchProblem> {
    public let problem: Problem
    public var iterations: Int
    public var exploration: Double
    var q: [[Int]: Double] = [:]
    var visits: [[Int]: Int] = [:]

    public init(problem: Problem, iterations: Int, exploration: Double = 2.0.squareRoot()) {
        self.problem = problem; self.iterations = iterations; self.exploration = exploration
    }

    /// The committed path from the root to a terminal path, and the Q of its last choice.
    public mutating func search(rng: inout Xoshiro256StarStar, maxDepth: Int = 10_000) -> (path: [Int], value: Double) {
        var root: [Int] = []
        var value = -Double.infinity
        while !problem.isTerminal(root), root.count < maxDepth {
            for _ in 0..<max(1, iterations) { iterate(from: root, rng: &rng) }
            let children = problem.actions(after: root)
            guard let best = children.max(by: { (q[root + [$0]] ?? -.infinity) < (q[root + [$1]] ?? -.infinity) }) else { break }
            value = q[root + [best]] ?? value
            root.append(best)
        }
        if problem.isTerminal(root), value == -.infinity { value = problem.value(of: root) }
        return (root, value)
    }

    mutating func iterate(from root: [Int], rng: inout Xoshiro256StarStar) {
        var path = root
        // Selection: descend through fully expanded nodes.
        while !problem.isTerminal(path) {
            let actions = problem.actions(after: path)
            if let untried = actions.first(where: { visits[path + [$0]] == nil }) {
                path.append(untried)  // expansion
                break
            }
            let n = Double(visits[path] ?? 1)
            guard let pick = actions.max(by: { ucb(path + [$0], n) < ucb(path + [$1], n) }) else { break }
            path.append(pick)
        }
        // Simulation.
        var rollout = path
        while !problem.isTerminal(rollout) { rollout.append(problem.rolloutAction(after: rollout, rng: &rng)) }
        let reward = problem.value(of: rollout)
        // Back-propagation along the selected path (Q is the mean of the returns through it).
        for depth in stride(from: path.count, through: root.count, by: -1) {
            let node = Array(path.prefix(depth))
            let count = (visits[node] ?? 0) + 1
            visits[node] = count
            let old = q[node] ?? 0
            q[node] = old + (reward - old) / Double(count)
        }
    }

    func ucb(_ node: [Int], _ parentVisits: Double) -> Double {
        let n = Double(visits[node] ?? 0)
        guard n > 0 else { return .infinity }
        return (q[node] ?? 0) + exploration * (log(parentVisits) / n).squareRoot()
    }

    /// Mean return seen through `path` (nil when never visited).
    public func qValue(_ path: [Int]) -> Double? { q[path] }
}
