import TemperText

/// The generation methods: the paper's MCTO and DaC, step-completion, and the random baseline.
public enum GenerationMethod: String, CaseIterable, Codable, Sendable {
    case mcto, dac, sc, random
}

/// One CTE: the original and counterfactual partial trajectories, both starting at `start`.
public struct CounterfactualPair: Sendable {
    public var start: Int
    public var original: Trajectory
    public var counterfactual: Trajectory
}

/// What every generator needs besides the original trajectory.
public struct GenerationSettings: Sendable {
    public var weights = CriterionWeights()
    public var normalisation = Normalisation()
    /// Random CTEs: probability of the terminal action per step once two states exist.
    public var likelihoodTerminal = 0.2
    /// DaC: deviations before following the policy, and the per-step stopping probability.
    public var dacDeviations = 3
    public var dacEndingProbability = 0.5
    /// MCTO (reference defaults): iterations per depth, starting points, action threshold.
    public var mctoIterations = 5
    public var mctoStartingPoints = 40
    public var mctoActionThreshold = 0.003
    public init() {}
}

/// Random, deviate-and-continue and step-completion (the MCTO generator has its own file).
public struct CounterfactualGenerator {
    public let context: ExplanationContext
    public var settings: GenerationSettings

    public init(context: ExplanationContext, settings: GenerationSettings) {
        self.context = context; self.settings = settings
    }

    /// The random baseline (`generate_counterfactual_random`): a uniform start, then policy
    /// actions until a terminal action (likelihood 0.2 per step, once two states exist).
    public func random(_ org: Trajectory, rng: inout Xoshiro256StarStar) throws -> CounterfactualPair {
        guard org.count >= 2 else { throw RewardError.emptyTrajectory(context: "the original needs at least one action") }
        let start = rng.nextInt(below: org.count - 1)
        var cf = context.begin(org.states[start], saved: org.savedOnArrival[start])
        while context.canExtend(cf), let s = cf.states.last {
            var weights = context.actionProbabilities(s)
            if cf.count > 2 { weights.append(settings.likelihoodTerminal) }
            let a = sample(weights, &rng)
            if a == GridAction.count { break }
            context.extend(&cf, a)
        }
        return CounterfactualPair(start: start, original: org.slice(from: start, through: start + cf.count - 1), counterfactual: cf)
    }

    /// Deviate-and-continue (`generate_counterfactual_step` with the reference defaults:
    /// 3 deviations, then the policy, stopping with probability 0.5 per step): one candidate
    /// per start, the best by the weighted quality of all six criteria.
    public func deviateAndContinue(_ org: Trajectory, memory: ExplanationMemory, rng: inout Xoshiro256StarStar) throws -> CounterfactualPair {
        var candidates: [CounterfactualPair] = []
        for step in 0..<max(0, org.count - 2) {
            guard var cf = deviate(from: org, at: step, rng: &rng) else { continue }
            for _ in 1..<max(1, settings.dacDeviations) where context.canExtend(cf) {
                guard let s = cf.states.last else { break }
                let probs = context.actionProbabilities(s)
                let usual = sample(probs, &rng)
                let usualNext = context.world.step(s, GridAction(rawValue: usual) ?? .stay).state
                var others = probs
                for a in others.indices where a == usual || context.world.step(s, GridAction(rawValue: a) ?? .stay).state == usualNext {
                    others[a] = 0
                }
                context.extend(&cf, others.contains(where: { $0 > 0 }) ? sample(others, &rng) : usual)
            }
            while context.canExtend(cf), uniform(&rng) >= settings.dacEndingProbability, let s = cf.states.last {
                context.extend(&cf, sample(context.actionProbabilities(s), &rng))
            }
            let part = org.slice(from: step, through: step + cf.count - 1)
            if part.meanReward != cf.meanReward { candidates.append(CounterfactualPair(start: step, original: part, counterfactual: cf)) }
        }
        return try best(candidates, memory: memory, what: "deviate-and-continue")
    }

    /// Step-completion: one deviating action, then at each step the move that brings the agent
    /// closest to where the original is one step later (ties: the policy's likelier action),
    /// until it stands where the original stands within one step of the same time (the
    /// reference's `test_rejoined_org_traj` window). The best start by weighted quality.
    public func stepCompletion(_ org: Trajectory, memory: ExplanationMemory, rng: inout Xoshiro256StarStar) throws -> CounterfactualPair {
        var candidates: [CounterfactualPair] = []
        for step in 0..<max(0, org.count - 2) {
            guard var cf = deviate(from: org, at: step, rng: &rng) else { continue }
            var rejoin: Int?
            while rejoin == nil, let s = cf.states.last {
                let i = step + cf.count - 1  // index in org at the same time
                rejoin = ((i - 1)...(i + 1)).first { $0 > step && $0 < org.count && org.states[$0].position == s.position }
                guard rejoin == nil, context.canExtend(cf) else { break }
                let target = org.states[min(i + 1, org.count - 1)].position
                let probs = context.actionProbabilities(s)
                let a = GridAction.allCases.min { a, b in
                    let da = context.world.step(s, a).state.position.manhattan(target)
                    let db = context.world.step(s, b).state.position.manhattan(target)
                    return da != db ? da < db : probs[a.rawValue] > probs[b.rawValue]
                } ?? .stay
                context.extend(&cf, a.rawValue)
            }
            let part = org.slice(from: step, through: rejoin ?? (step + cf.count - 1))
            guard part.count >= 2 else { continue }
            if part.meanReward != cf.meanReward { candidates.append(CounterfactualPair(start: step, original: part, counterfactual: cf)) }
        }
        return try best(candidates, memory: memory, what: "step-completion")
    }

    /// The counterfactual's first action at `step`: drawn from the policy among the actions
    /// whose next state differs from the original's (nil when none does).
    func deviate(from org: Trajectory, at step: Int, rng: inout Xoshiro256StarStar) -> Trajectory? {
        let s = org.states[step]
        var probs = context.actionProbabilities(s)
        for a in probs.indices where context.world.step(s, GridAction(rawValue: a) ?? .stay).state == org.states[step + 1] { probs[a] = 0 }
        guard probs.contains(where: { $0 > 0 }) else { return nil }
        var cf = context.begin(s, saved: org.savedOnArrival[step])
        context.extend(&cf, sample(probs, &rng))
        return cf
    }

    func best(_ candidates: [CounterfactualPair], memory: ExplanationMemory, what: String) throws -> CounterfactualPair {
        var chosen: CounterfactualPair?
        var bestQuality = -Double.infinity
        for c in candidates {
            let raw = try QualityCriteria.all(c.original, c.counterfactual, start: c.start, memory: memory, context: context)
            let q = QualityCriteria.quality(raw, normalisation: settings.normalisation, weights: settings.weights)
            if q > bestQuality { bestQuality = q; chosen = c }
        }
        guard let chosen else { throw RewardError.emptyTrajectory(context: "\(what) found no counterfactual that changes the reward") }
        return chosen
    }
}
