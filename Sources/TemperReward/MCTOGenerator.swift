import TemperText

/// Monte-Carlo-based trajectory optimisation (`generate_counterfactual_mcts`): from each of the
/// most important start states (highest −entropy of the policy, `mctoStartingPoints` of them)
/// search the counterfactual continuation that maximises the weighted quality of proximity,
/// sparsity, validity, realisticness and diversity; then pick the start whose result scores
/// best with state importance added.
extension CounterfactualGenerator {
    public func mcto(_ org: Trajectory, memory: ExplanationMemory, rng: inout Xoshiro256StarStar) throws -> CounterfactualPair {
        guard org.count >= 3 else { throw RewardError.emptyTrajectory(context: "MCTO needs an original with at least two actions") }
        let importance = (0..<(org.count - 2)).map { (index: $0, value: context.negativeEntropy(org.states[$0])) }
        let starts = importance.sorted { $0.value != $1.value ? $0.value > $1.value : $0.index < $1.index }
            .prefix(max(1, settings.mctoStartingPoints)).map(\.index)
        var chosen: CounterfactualPair?
        var bestQuality = -Double.infinity
        for start in starts {
            let problem = CounterfactualSearch(context: context, original: org, start: start, memory: memory, settings: settings)
            var search = MonteCarloTreeSearch(problem: problem, iterations: settings.mctoIterations)
            let path = search.search(rng: &rng).path
            let pair = problem.pair(path)
            guard pair.counterfactual.actions.count > 0 else { continue }
            let raw = try QualityCriteria.all(pair.original, pair.counterfactual, start: start, memory: memory, context: context)
            let q = QualityCriteria.quality(raw, normalisation: settings.normalisation, weights: settings.weights)
            if q > bestQuality { bestQuality = q; chosen = pair }
        }
        guard let chosen else { throw RewardError.emptyTrajectory(context: "MCTO found no counterfactual") }
        return chosen
    }
}

/// The counterfactual continuation from one start as a tree-search problem. Action
/// `GridAction.count` ends the counterfactual; the first action must differ from the original's.
struct CounterfactualSearch: TreeSearchProblem {
    static let searchCriteria: [Criterion] = [.proximity, .sparsity, .validity, .realisticness, .diversity]
    let context: ExplanationContext
    let original: Trajectory
    let start: Int
    let memory: ExplanationMemory
    let settings: GenerationSettings
    var stop: Int { GridAction.count }

    let cache = PrefixCache()

    /// The counterfactual a path produces: replayed from its longest cached prefix; tree
    /// nodes (paths asked for their actions) are cached, rollout paths are not.
    func counterfactual(_ path: [Int], remember: Bool = false) -> Trajectory {
        var known = path.count
        while known > 0, cache.trajectories[Array(path.prefix(known))] == nil { known -= 1 }
        var cf = known > 0 ? cache.trajectories[Array(path.prefix(known))] ?? root : root
        for a in path.dropFirst(known) where a != stop { context.extend(&cf, a) }
        if remember, known < path.count { cache.trajectories[path] = cf }
        return cf
    }

    var root: Trajectory { context.begin(original.states[start], saved: original.savedOnArrival[start]) }

    func pair(_ path: [Int]) -> CounterfactualPair {
        let cf = counterfactual(path)
        return CounterfactualPair(start: start, original: original.slice(from: start, through: start + cf.count - 1), counterfactual: cf)
    }

    func isTerminal(_ path: [Int]) -> Bool {
        if path.last == stop { return true }
        return (original.states[start].time + path.count) >= context.world.horizon
    }

    /// Actions above the probability threshold (lowered tenfold until three qualify), never
    /// the original's action first; the terminal action once one step was taken.
    func actions(after path: [Int]) -> [Int] {
        guard !isTerminal(path) else { return [] }
        let cf = counterfactual(path, remember: true)
        guard let s = cf.states.last else { return [] }
        var probs = context.actionProbabilities(s)
        if path.isEmpty { probs[original.actions[start]] = 0 }
        var threshold = settings.mctoActionThreshold
        var valid: [Int] = []
        while valid.count < 3, threshold > 1e-12 {
            valid = probs.indices.filter { probs[$0] > threshold }
            threshold *= 0.1
        }
        if valid.isEmpty { valid = probs.indices.filter { probs[$0] > 0 } }
        return path.isEmpty ? valid : valid + [stop]
    }

    func value(of path: [Int]) -> Double {
        let p = pair(path)
        do {
            let raw = try QualityCriteria.allForSearch(p.original, p.counterfactual, start: start, memory: memory)
            return QualityCriteria.quality(raw, normalisation: settings.normalisation, weights: settings.weights, using: Self.searchCriteria)
        } catch {
            return -1e9  // an empty counterfactual explains nothing
        }
    }

    /// The reference's random simulation: uniform over the moves, the terminal action with
    /// likelihood 0.2 (not as the very first action).
    func rolloutAction(after path: [Int], rng: inout Xoshiro256StarStar) -> Int {
        if !path.isEmpty, uniform(&rng) < settings.likelihoodTerminal { return stop }
        return rng.nextInt(below: GridAction.count)
    }
}

/// Counterfactuals of the search tree's nodes, shared by the copies of one search problem.
final class PrefixCache {
    var trajectories: [[Int]: Trajectory] = [:]
}

extension QualityCriteria {
    /// The five criteria the search optimises (state importance is fixed per start).
    static func allForSearch(_ org: Trajectory, _ cf: Trajectory, start: Int, memory: ExplanationMemory) throws -> CriteriaValues {
        var v = CriteriaValues()
        v.validity = try validity(org, cf)
        v.proximity = try proximity(org, cf)
        v.diversity = try diversity(org, cf, start: start, memory: memory)
        v.realisticness = try realisticness(org, cf)
        v.sparsity = try sparsity(org, cf)
        return v
    }
}
