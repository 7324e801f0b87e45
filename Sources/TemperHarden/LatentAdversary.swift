import Foundation
import TemperModels
import TemperTensor

/// The inner adversary of targeted LAT: one perturbation δ per token at each chosen residual
/// point, as the reference's `GDAdversary` (aengusl/latent-adversarial-training,
/// latent_at/laa/attacks.py): zero-initialised, added only at the attacked positions, and
/// after every optimizer step projected onto the L2 ball of radius ε per token
/// (`clip_attack`: δ ← δ / max(‖δ‖/ε, 1)). The reference hooks the output of block l's MLP
/// (and the embedding); a vector added there is the same as one added to the residual after
/// block l, which is where this adds it (`ResidualIndex.afterBlock(l)`, index 0 the embedding).
public final class LatentAdversary {
    /// Residual indices perturbed, ascending.
    public let indices: [Int]
    /// Absolute radius per residual index.
    public let epsilons: [Int: Float]
    /// δ per residual index, [batch, length, hidden] leaves.
    public let deltas: [Int: Tensor]
    /// [batch, length, 1]: 1 where the adversary acts.
    let mask: Tensor

    /// Zero-initialised δ (`GDAdversary`), or `initial` values per index ([batch, length, hidden]).
    public init(indices: [Int], epsilons: [Int: Float], batchSize: Int, length: Int, hidden: Int, attackMask: [Bool],
                initial: [Int: Tensor] = [:]) throws {
        guard attackMask.count == batchSize * length else {
            throw HardenError.invalidConfig("attack mask of \(attackMask.count) for \(batchSize) × \(length)")
        }
        self.indices = indices.sorted()
        self.epsilons = epsilons
        var d: [Int: Tensor] = [:]
        for i in indices {
            guard let e = epsilons[i], e > 0 else { throw HardenError.invalidSetting(name: "epsilon at residual \(i)", value: "\(epsilons[i] ?? 0)", rule: "must be positive") }
            let shape = [batchSize, length, hidden]
            if let start = initial[i] {
                guard start.shape == shape else { throw HardenError.invalidConfig("initial δ at \(i) has shape \(start.shape), expected \(shape)") }
                d[i] = start.clone().requiringGrad()
            } else {
                d[i] = try Tensor.zeros(shape, requiresGrad: true)
            }
        }
        deltas = d
        mask = try Tensor(shape: [batchSize, length, 1], values: attackMask.map { $0 ? 1 : 0 })
    }

    /// The perturbations a forward pass adds: δ at the attacked positions (`x[mask] += δ[mask]`).
    public func perturbations(frozen: Bool) throws -> [Int: Tensor] {
        var out: [Int: Tensor] = [:]
        for (i, d) in deltas { out[i] = try (frozen ? d.detach() : d) * mask }
        return out
    }

    /// `clip_attack`: each token's δ scaled back onto the ball of radius ε.
    public func project() {
        for (i, d) in deltas {
            guard let eps = epsilons[i], let hidden = d.shape.last, hidden > 0 else { continue }
            d.withUnsafeMutableBufferPointer { buffer in
                for start in stride(from: 0, to: buffer.count, by: hidden) {
                    var sq: Float = 0
                    for j in start..<(start + hidden) { sq += buffer[j] * buffer[j] }
                    let scale = max(sq.squareRoot() / eps, 1)
                    if scale > 1 { for j in start..<(start + hidden) { buffer[j] /= scale } }
                }
            }
        }
    }

    /// The mean L2 norm per attacked token of each tensor of `residuals` ([batch, length, hidden]).
    static func meanNorm(_ residual: Tensor, attackMask: [Bool]) -> Double {
        guard let hidden = residual.shape.last, hidden > 0 else { return 0 }
        return residual.withUnsafeBufferPointer { values in
            var total = 0.0, count = 0
            for (token, on) in attackMask.enumerated() where on {
                var sq = 0.0
                for j in (token * hidden)..<((token + 1) * hidden) { sq += Double(values[j]) * Double(values[j]) }
                total += sq.squareRoot()
                count += 1
            }
            return count > 0 ? total / Double(count) : 0
        }
    }
}

/// The inner loop's settings (the reference's `projected_gradient_descent` arguments).
public struct LATAttackSettings: Codable, Sendable, Equatable {
    /// Adversary optimizer steps per run (`pgd_iterations_per_step`, 16).
    public var steps: Int
    /// Its AdamW learning rate (`inner_learning_rate`, 1e-2 in scripts/jailbreaks_script.py).
    public var learningRate: Double
    /// Perturb the completion tokens as well as the prompt (`add_completions_pgd`, true there).
    public var attackCompletions: Bool

    public init(steps: Int = 16, learningRate: Double = 1e-2, attackCompletions: Bool = true) {
        self.steps = steps; self.learningRate = learningRate; self.attackCompletions = attackCompletions
    }
}

/// Runs the adversary against a frozen model (`projected_gradient_descent`, latent_at/lat_methods.py):
/// `torch.optim.AdamW(δ, lr)` with its defaults (β 0.9/0.999, ε 1e-8, weight decay 0.01),
/// each step: zero grad, adversary loss, NaN gradients zeroed (`zero_nan_grads`), step, project.
/// The clean residual at the lowest perturbed point is computed once and every step starts
/// there (`ForwardOptions.start`), so the frozen blocks below it are not re-run.
public enum LatentAttack {
    public struct Result {
        public let adversary: LatentAdversary
        /// The adversary's loss parts at its last step (before that step's update), as the reference logs them.
        public let metrics: [String: Double]
    }

    public static func run(model: any CausalLanguageModel, batch: LATBatch, indices: [Int], epsilons: [Int: Float],
                           settings: LATAttackSettings, coefficients: LATCoefficients) throws -> Result {
        let pairs = batch.pairs
        let adversary = try LatentAdversary(indices: indices, epsilons: epsilons, batchSize: pairs.batchSize, length: pairs.length,
                                            hidden: model.hiddenSize, attackMask: batch.attackMask(completions: settings.attackCompletions))
        guard let first = adversary.indices.first else { throw HardenError.invalidSetting(name: "layers", value: "[]", rule: "name at least one residual point") }
        let inputs = try Inputs(model: model, batch: batch, first: first)
        let params = adversary.indices.compactMap { adversary.deltas[$0] }
        let optimizer = AdamW(parameters: params, learningRate: settings.learningRate)
        var metrics: [String: Double] = [:]
        for _ in 0..<settings.steps {
            metrics = try step(model: model, inputs: inputs, adversary: adversary, optimizer: optimizer, coefficients: coefficients)
        }
        return Result(adversary: adversary, metrics: metrics)
    }

    /// The two token sequences and their clean residuals at the lowest perturbed point.
    struct Inputs {
        let batch: LATBatch
        let unwanted: TokenBatch, desired: TokenBatch
        let unwantedStart: ResidualStart, desiredStart: ResidualStart

        init(model: any CausalLanguageModel, batch: LATBatch, first: Int) throws {
            self.batch = batch
            unwanted = try batch.pairs.harmfulTokens()
            desired = try batch.pairs.refusalTokens()
            unwantedStart = ResidualStart(index: first, value: try cleanResidual(model, unwanted, at: first))
            desiredStart = ResidualStart(index: first, value: try cleanResidual(model, desired, at: first))
        }
    }

    /// The adversary's loss under its current δ (in the graph), started at the lowest perturbed point.
    static func loss(model: any CausalLanguageModel, inputs: Inputs, adversary: LatentAdversary,
                     coefficients: LATCoefficients) throws -> LATParts {
        let perturbations = try adversary.perturbations(frozen: false)
        return try LATTowardAway.adversary(
            unwantedLogits: { try logits(model, inputs.unwanted, start: inputs.unwantedStart, perturbations) },
            desiredLogits: { try logits(model, inputs.desired, start: inputs.desiredStart, perturbations) },
            batch: inputs.batch, coefficients: coefficients.normalized)
    }

    /// One inner step: zero grad, loss, NaN gradients zeroed, AdamW step, projection.
    static func step(model: any CausalLanguageModel, inputs: Inputs, adversary: LatentAdversary, optimizer: AdamW,
                     coefficients: LATCoefficients) throws -> [String: Double] {
        optimizer.zeroGrad()
        let parts = try loss(model: model, inputs: inputs, adversary: adversary, coefficients: coefficients)
        var metrics = try parts.metrics(prefix: "adv_")
        metrics["adv_total"] = Double(try parts.total.item())
        let grads = try gradients(of: parts.total, wrt: optimizer.parameters)
        for (p, g) in zip(optimizer.parameters, grads) { p.grad = zeroingNaN(g) }
        try optimizer.step()
        adversary.project()
        return metrics
    }

    /// The unperturbed residual at point `index` of the current (frozen) model, outside the graph.
    static func cleanResidual(_ model: any CausalLanguageModel, _ tokens: TokenBatch, at index: Int) throws -> Tensor {
        let out = try noGrad {
            try model.forward(tokens, options: ForwardOptions(captureResiduals: true, stopAfterBlock: max(index - 1, 0), logits: .none))
        }
        guard out.residuals.indices.contains(index) else {
            throw HardenError.missingLayers(path: model.source.folder.path, reason: "no residual point \(index) among \(out.residuals.count) captured")
        }
        return out.residuals[index].detach()
    }

    static func logits(_ model: any CausalLanguageModel, _ tokens: TokenBatch, start: ResidualStart?, _ perturbations: [Int: Tensor]) throws -> Tensor {
        var options = ForwardOptions(perturbations: perturbations)
        options.start = start
        guard let logits = try model.forward(tokens, options: options).logits else {
            throw HardenError.missingLayers(path: model.source.folder.path, reason: "the forward pass returned no logits")
        }
        return logits
    }

    static func zeroingNaN(_ g: Tensor) -> Tensor {
        guard g.toArray().contains(where: { $0.isNaN }) else { return g }
        let out = g.clone()
        out.withUnsafeMutableBufferPointer { b in for i in b.indices where b[i].isNaN { b[i] = 0 } }
        return out
    }

    /// Absolute radii: `fraction` × the mean per-token residual norm at each point over the
    /// attacked positions of `batch`, on the model as it is (the initial model at step 0).
    public static func epsilons(model: any CausalLanguageModel, batch: LATBatch, indices: [Int], fraction: Double,
                                attackCompletions: Bool) throws -> [Int: Float] {
        let mask = batch.attackMask(completions: attackCompletions)
        let top = indices.max() ?? 0
        let out = try noGrad {
            try model.forward(try batch.pairs.harmfulTokens(),
                              options: ForwardOptions(captureResiduals: true, stopAfterBlock: max(top - 1, 0), logits: .none))
        }
        var eps: [Int: Float] = [:]
        for i in indices {
            guard out.residuals.indices.contains(i) else {
                throw HardenError.missingLayers(path: model.source.folder.path, reason: "no residual point \(i)")
            }
            let e = Float(fraction * LatentAdversary.meanNorm(out.residuals[i], attackMask: mask))
            try HardenError.require(e > 0 && e.isFinite, "epsilon at residual \(i)", e, "the residual norm there is 0; give an absolute --epsilon-absolute")
            eps[i] = e
        }
        return eps
    }
}
