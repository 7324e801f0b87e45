import Foundation
import TemperTensor
import TemperText

/// Reward learning from pairwise trajectory preferences (Bradley–Terry, as in Christiano et
/// al. 2017): P(A ≻ B) = σ(Σ_A r̂ − Σ_B r̂), fitted by cross-entropy to the preferences a
/// simulated human gives by the true return. The paper learns its reward with AIRL; the
/// comparison loss here needs no inner RL loop and fits in under a second (see the report).
public struct PreferenceTrainingConfig: Codable, Equatable, Sendable {
    public var pairs = 512
    public var segmentLength = 10
    public var hiddenSizes = [32, 32]
    public var steps = 400
    public var learningRate = 0.01
    public var weightDecay = 1e-4
    /// Per-step probability of a uniform action in the rollouts segments are cut from, cycled.
    public var epsilons = [0.0, 0.25, 0.5, 1.0]
    public var seed: UInt64 = 0
    public init() {}
    enum CodingKeys: String, CodingKey {
        case pairs, segmentLength = "segment_length", hiddenSizes = "hidden_sizes", steps
        case learningRate = "learning_rate", weightDecay = "weight_decay", epsilons, seed
    }
}

public struct PreferenceTrainingResult: Sendable {
    public var model: RewardModel
    public var finalLoss: Double
    /// Held-out pairs (a fresh draw) the learned reward orders as the true reward does.
    public var heldOutAgreement: Double
}

public enum PreferenceLearning {
    struct Pair { var a: [[Double]]; var b: [[Double]]; var preference: Double; var trueDifference: Double }

    static func pairs(world: Gridworld, policy: SoftPolicy, count: Int, config: PreferenceTrainingConfig,
                      rng: inout Xoshiro256StarStar) throws -> [Pair] {
        let placeholder = try RewardModel(config: RewardModelConfig(features: Gridworld.featureNames, hiddenSizes: []),
                                          weights: [[Double](repeating: 0, count: Gridworld.featureNames.count)], biases: [[0]])
        let context = try ExplanationContext(world: world, policy: policy, reward: placeholder)
        let length = min(config.segmentLength, world.horizon)
        var segmentIndex = 0
        func segment() -> ([[Double]], Double) {
            let eps = config.epsilons.isEmpty ? 0 : config.epsilons[segmentIndex % config.epsilons.count]
            segmentIndex += 1
            let t = context.rollout(from: context.randomStart(&rng), epsilon: eps, rng: &rng)
            let offset = rng.nextInt(below: max(1, t.count - length + 1))
            let part = t.slice(from: offset, through: offset + length - 1)
            let features = zip(part.states, part.savedOnArrival).map { world.features(of: $0, saved: $1) }
            let trueReturn = zip(part.states, part.savedOnArrival).reduce(0) { $0 + world.trueReward(of: $1.0, saved: $1.1) }
            return (features, trueReturn)
        }
        return (0..<count).map { _ in
            let (a, ra) = segment(), (b, rb) = segment()
            let d = ra - rb
            return Pair(a: a, b: b, preference: abs(d) < 1e-9 ? 0.5 : (d > 0 ? 1 : 0), trueDifference: d)
        }
    }

    public static func train(world: Gridworld, policy: SoftPolicy, config: PreferenceTrainingConfig,
                             log: (String) -> Void = { _ in }) throws -> PreferenceTrainingResult {
        guard config.pairs > 0, config.segmentLength > 0, config.steps >= 0, config.learningRate > 0 else {
            throw RewardError.invalidArgument("preference training needs pairs, segment length and learning rate > 0")
        }
        var rng = Xoshiro256StarStar(seed: config.seed, stream: 0xB7)
        let data = try pairs(world: world, policy: policy, count: config.pairs, config: config, rng: &rng)
        let modelConfig = RewardModelConfig(features: Gridworld.featureNames, hiddenSizes: config.hiddenSizes)
        let sizes = RewardModel.layerSizes(modelConfig)
        var params: [Tensor] = []
        for (out, inp) in sizes {
            let bound = 1 / Double(inp).squareRoot()
            let w = (0..<(out * inp)).map { _ in Float((uniform(&rng) * 2 - 1) * bound) }
            let b = (0..<out).map { _ in Float((uniform(&rng) * 2 - 1) * bound) }
            params.append(try Tensor(shape: [out, inp], values: w, requiresGrad: true))
            params.append(try Tensor(shape: [out], values: b, requiresGrad: true))
        }
        let length = data.first?.a.count ?? 0
        let rows = data.flatMap { $0.a + $0.b }.flatMap { $0.map(Float.init) }
        let x = try Tensor(shape: [data.count * 2 * length, Gridworld.featureNames.count], values: rows)
        let p = try Tensor(shape: [data.count, 1], values: data.map { Float($0.preference) })
        let optimizer = Adam(parameters: params, learningRate: config.learningRate, weightDecay: config.weightDecay)
        var loss = 0.0
        for step in 0..<config.steps {
            optimizer.zeroGrad()
            var h = x
            for l in 0..<sizes.count {
                h = try linear(h, weight: params[2 * l], bias: params[2 * l + 1])
                if l < sizes.count - 1 { h = h.tanh() }
            }
            let returns = try h.reshape([data.count, 2, length]).sum(axis: 2)
            let d = try returns.slice(axis: 1, 0..<1) - returns.slice(axis: 1, 1..<2)
            let ll = try p * d.logSigmoid() + (1 - p) * (0 - d).logSigmoid()
            let objective = try (0 - ll).mean()
            try objective.backward()
            try optimizer.step()
            loss = Double(try objective.item())
            if step % 100 == 0 { log(String(format: "  preference step %d: loss %.4f", step, loss)) }
        }
        let model = try RewardModel(config: modelConfig,
                                    weights: stride(from: 0, to: params.count, by: 2).map { params[$0].toArray().map(Double.init) },
                                    biases: stride(from: 1, to: params.count, by: 2).map { params[$0].toArray().map(Double.init) })
        let heldOut = try pairs(world: world, policy: policy, count: 256, config: config, rng: &rng).filter { $0.preference != 0.5 }
        let agree = heldOut.filter { pair in
            let d = pair.a.reduce(0) { $0 + model.evaluate($1) } - pair.b.reduce(0) { $0 + model.evaluate($1) }
            return (d > 0) == (pair.trueDifference > 0)
        }.count
        return PreferenceTrainingResult(model: model, finalLoss: loss,
                                        heldOutAgreement: heldOut.isEmpty ? 0 : Double(agree) / Double(heldOut.count))
    }
}
