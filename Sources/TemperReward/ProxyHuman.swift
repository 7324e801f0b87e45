import Foundation
import TemperTensor
import TemperText

/// The proxy-human model of the paper's evaluation (`train_proxy_human_model.py`): it sees
/// hand-made features of the original and the counterfactual side by side and predicts
/// each one's average reward ("single" head, two outputs) and their difference
/// ("contrastive" head), trained with MSE weighted 1 : 1/3 (the reference's task weights (1, 3)).
public enum ProxyModelKind: String, CaseIterable, Codable, Sendable { case linear, mlp }

public enum ProxyFeatures {
    public static let names = ["mean_person_saved", "mean_obstacle_hit", "mean_distance_to_goal", "mean_at_goal",
                               "mean_people_left", "mean_time", "length", "people_saved", "distance_to_goal_change"]

    /// Trajectory-level features (the analogue of the reference's `extract_features`, averaged).
    public static func of(_ t: Trajectory, world: Gridworld) -> [Double] {
        let f = zip(t.states, t.savedOnArrival).map { world.features(of: $0, saved: $1) }
        let n = Double(max(1, f.count))
        var out = (0..<6).map { i in f.reduce(0) { $0 + $1[i] } / n }
        out.append(Double(t.count))
        out.append(Double((t.states.last?.savedMask.nonzeroBitCount ?? 0) - (t.states.first?.savedMask.nonzeroBitCount ?? 0)))
        out.append((f.last?[2] ?? 0) - (f.first?[2] ?? 0))
        return out
    }
}

/// One labelled pair: features of both sides and their mean learned rewards.
public struct ProxyExample: Sendable {
    public var original: [Double], counterfactual: [Double]
    public var originalLabel: Double, counterfactualLabel: Double
}

public struct ProxyScores: Codable, Equatable, Sendable {
    /// Single head: predicted vs learned mean rewards of every trajectory (both sides).
    public var proxyPearson: Double?
    public var proxySpearman: Double?
    /// How often the single head orders the two sides as the learned reward does.
    public var pairwiseAccuracy: Double
    /// Contrastive head: predicted vs learned reward differences.
    public var contrastivePearson: Double?
    enum CodingKeys: String, CodingKey {
        case proxyPearson = "proxy_pearson", proxySpearman = "proxy_spearman", pairwiseAccuracy = "pairwise_accuracy"
        case contrastivePearson = "contrastive_pearson"
    }
}

public struct ProxyTrainingConfig: Sendable {
    public var linearSteps = 600, linearLearningRate = 0.1, linearWeightDecay = 0.01
    public var mlpSteps = 600, mlpLearningRate = 0.01, mlpWeightDecay = 0.001, mlpHidden = [32, 16]
    public init() {}
}

/// A trained proxy plus the feature standardisation of its training set.
public struct ProxyModel {
    let kind: ProxyModelKind
    let params: [Tensor]
    let layerCount: Int
    let mean: [Double], scale: [Double]

    static func inputs(_ examples: [ProxyExample]) -> [[Double]] { examples.map { $0.original + $0.counterfactual } }

    public static func train(_ examples: [ProxyExample], kind: ProxyModelKind, config: ProxyTrainingConfig, seed: UInt64) throws -> ProxyModel {
        guard examples.count >= 2, let width = inputs(examples).first?.count else {
            throw RewardError.invalidArgument("the proxy needs at least two training explanations")
        }
        let raw = inputs(examples)
        let mean = (0..<width).map { i in raw.reduce(0) { $0 + $1[i] } / Double(raw.count) }
        let scale = (0..<width).map { i -> Double in
            let sd = (raw.reduce(0) { $0 + ($1[i] - mean[i]) * ($1[i] - mean[i]) } / Double(raw.count)).squareRoot()
            return sd > 1e-12 ? sd : 1
        }
        var rng = Xoshiro256StarStar(seed: seed, stream: 0x9C0)
        let dims = kind == .linear ? [width, 3] : [width] + config.mlpHidden + [3]
        var params: [Tensor] = []
        for l in 0..<(dims.count - 1) {
            let bound = 1 / Double(dims[l]).squareRoot()
            params.append(try Tensor(shape: [dims[l + 1], dims[l]], values: (0..<(dims[l] * dims[l + 1])).map { _ in Float((uniform(&rng) * 2 - 1) * bound) }, requiresGrad: true))
            params.append(try Tensor(shape: [dims[l + 1]], values: (0..<dims[l + 1]).map { _ in Float((uniform(&rng) * 2 - 1) * bound) }, requiresGrad: true))
        }
        let model = ProxyModel(kind: kind, params: params, layerCount: dims.count - 1, mean: mean, scale: scale)
        let x = try model.tensor(raw)
        let single = try Tensor(shape: [examples.count, 2], values: examples.flatMap { [Float($0.originalLabel), Float($0.counterfactualLabel)] })
        let contrast = try Tensor(shape: [examples.count, 1], values: examples.map { Float($0.originalLabel - $0.counterfactualLabel) })
        let optimizer = Adam(parameters: params, learningRate: kind == .linear ? config.linearLearningRate : config.mlpLearningRate,
                             weightDecay: kind == .linear ? config.linearWeightDecay : config.mlpWeightDecay)
        for _ in 0..<(kind == .linear ? config.linearSteps : config.mlpSteps) {
            optimizer.zeroGrad()
            let out = try model.forward(x)
            let loss = try mseLoss(out.slice(axis: 1, 2..<3), contrast) + mseLoss(out.slice(axis: 1, 0..<2), single) * Float(1.0 / 3.0)
            try loss.backward()
            try optimizer.step()
        }
        return model
    }

    func tensor(_ rows: [[Double]]) throws -> Tensor {
        let values = rows.flatMap { row in row.indices.map { Float((row[$0] - mean[$0]) / scale[$0]) } }
        return try Tensor(shape: [rows.count, mean.count], values: values)
    }

    func forward(_ x: Tensor) throws -> Tensor {
        var h = x
        for l in 0..<layerCount {
            h = try linear(h, weight: params[2 * l], bias: params[2 * l + 1])
            if l < layerCount - 1 { h = h.relu() }
        }
        return h
    }

    public func score(_ examples: [ProxyExample]) throws -> ProxyScores {
        guard !examples.isEmpty else { throw RewardError.invalidArgument("no test pairs to score the proxy on") }
        let out = try forward(try tensor(Self.inputs(examples))).toArray().map(Double.init)
        var predicted: [Double] = [], labels: [Double] = [], diffs: [Double] = [], labelDiffs: [Double] = []
        var correct = 0
        for (i, e) in examples.enumerated() {
            let (po, pc) = (out[3 * i], out[3 * i + 1])
            predicted += [po, pc]; labels += [e.originalLabel, e.counterfactualLabel]
            diffs.append(out[3 * i + 2]); labelDiffs.append(e.originalLabel - e.counterfactualLabel)
            let want = e.originalLabel - e.counterfactualLabel
            if (po - pc).sign == want.sign || (abs(want) < 1e-12 && abs(po - pc) < 1e-12) { correct += 1 }
        }
        return ProxyScores(proxyPearson: Statistics.pearson(predicted, labels), proxySpearman: Statistics.spearman(predicted, labels),
                           pairwiseAccuracy: Double(correct) / Double(examples.count),
                           contrastivePearson: Statistics.pearson(diffs, labelDiffs))
    }
}
