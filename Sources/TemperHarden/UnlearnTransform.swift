import Foundation
import TemperModels
import TemperTensor

/// The unlearning methods of `temper unlearn` (METHODS.md §7).
public enum UnlearnMethod: String, Codable, Sendable, CaseIterable {
    case ga, graddiff, npo, simnpo, rmu

    /// Whether the method has a retain term (GA has none; RMU always holds retain activations).
    public var usesRetain: Bool { self != .ga }
}

/// `temper unlearn METHOD IN OUT`: rewrites a checkpoint so it forgets the forget rows and
/// keeps the retain rows. The whole value is the provenance record's config; the RMU
/// settings the run resolved from the model (layer, steering coefficient) are filled in
/// before it is recorded.
public struct UnlearnTransform: Codable, Sendable, Equatable {
    public static let operation = "unlearn"

    public var method: UnlearnMethod
    /// Weight of the forget term (open-unlearning's `gamma`).
    public var gamma: Double
    /// NPO / SimNPO inverse temperature β (open-unlearning's `beta`).
    public var beta: Double
    /// SimNPO margin δ (open-unlearning's `delta`).
    public var delta: Double
    /// RMU: the block whose output is steered (nil: round(7/32 · layers), at least 2 when the model has 3 or more).
    public var layer: Int?
    /// RMU: the steering coefficient c (nil: `steeringScale` × the frozen model's mean residual norm at `layer`).
    public var steeringCoefficient: Double?
    /// RMU: c relative to the residual norm, when `steeringCoefficient` is not given.
    public var steeringScale: Double
    /// RMU: the norm the default c was set against (filled in by the run).
    public var measuredResidualNorm: Double?
    /// RMU: the seed of the steering direction u (the run's seed unless given).
    public var steeringSeed: UInt64?
    /// Training; `retainWeight` is open-unlearning's `alpha` (RMU: the reference's α).
    public var training: HardenTraining

    /// Defaults calibrated on the fixture world (Experiments/unlearning.md: a one-seed lr sweep,
    /// then 5 seeds): 60 steps of batch 8, 10% warm-up, AdamW lr 5e-5 (ga), 1e-4 (graddiff, npo),
    /// 3e-4 (simnpo), retain weight α 1 (ga: none). RMU: lr 1e-2 and α 10 — the reference's
    /// lr 5e-5 and α 1200 (Zephyr-7B) left the world's forget accuracy at 1.00 in 60 steps,
    /// because its forget and retain prompts share every token before the entity.
    public static func defaultTraining(_ method: UnlearnMethod) -> HardenTraining {
        switch method {
        case .ga: return HardenTraining(learningRate: 5e-5, steps: 60, retainWeight: 0)
        case .graddiff, .npo: return HardenTraining(learningRate: 1e-4, steps: 60, retainWeight: 1)
        case .simnpo: return HardenTraining(learningRate: 3e-4, steps: 60, retainWeight: 1)
        case .rmu: return HardenTraining(learningRate: 1e-2, steps: 60, retainWeight: 10)
        }
    }

    /// The defaults per method: β 0.1 for NPO (METHODS.md §7), β 1 and δ 0 for SimNPO
    /// (open-unlearning simnpo.py's constructor defaults), c = 4 × the residual norm at l.
    public static func defaultBeta(_ method: UnlearnMethod) -> Double { method == .simnpo ? 1 : 0.1 }

    public init(method: UnlearnMethod, gamma: Double = 1, beta: Double? = nil, delta: Double = 0, layer: Int? = nil,
                steeringCoefficient: Double? = nil, steeringScale: Double = 4, steeringSeed: UInt64? = nil,
                training: HardenTraining? = nil) {
        self.method = method; self.gamma = gamma; self.beta = beta ?? Self.defaultBeta(method); self.delta = delta
        self.layer = layer; self.steeringCoefficient = steeringCoefficient; self.steeringScale = steeringScale
        self.steeringSeed = steeringSeed; self.training = training ?? Self.defaultTraining(method)
    }

    /// RMU's default layer: the reference steers layer 7 of Zephyr-7B's 32, so round(7/32 · L),
    /// at least 2 when L ≥ 3 (so three blocks l−2..l train), never past the last block.
    public static func defaultLayer(layerCount: Int) -> Int {
        let scaled = Int((7.0 / 32.0 * Double(layerCount)).rounded())
        return min(max(scaled, layerCount >= 3 ? 2 : 0), layerCount - 1)
    }

    /// RMU trains only the MLP down-projections (Llama `mlp.down_proj`, GPT-2 `mlp.c_proj`) of
    /// blocks l−2...l (clamped at 0), as the reference's `--layer_ids 5,6,7 --param_ids 6`.
    public static func isRMUTrainable(_ p: ModelParameter, layer: Int) -> Bool {
        guard let block = p.layer, (max(0, layer - 2)...layer).contains(block), p.module == .mlp else { return false }
        return p.name.hasSuffix("mlp.down_proj.weight") || p.name.hasSuffix("mlp.c_proj.weight")
    }

    /// Whether the run draws retain batches: RMU always, GradDiff/NPO/SimNPO when α > 0.
    public var needsRetain: Bool { method == .rmu || (method.usesRetain && training.retainWeight > 0) }

    public func validate() throws {
        try HardenError.require(gamma > 0 && gamma.isFinite, "gamma", gamma, "must be finite and positive")
        try HardenError.require(beta > 0 && beta.isFinite, "beta", beta, "must be finite and positive")
        try HardenError.require(delta.isFinite, "delta", delta, "must be finite")
        try HardenError.require(steeringScale > 0 && steeringScale.isFinite, "steering scale", steeringScale, "must be finite and positive")
        if let c = steeringCoefficient { try HardenError.require(c > 0 && c.isFinite, "steering coefficient", c, "must be finite and positive") }
        if let layer { try HardenError.require(layer >= 0, "layer", layer, "must be ≥ 0") }
        try training.validate()
    }

    /// What `run` returns: the transform's result, the overlap of the two sets, and the config
    /// as recorded (RMU's resolved layer and c).
    public struct Result: Codable, Sendable, Equatable {
        public var result: HardenResult
        public var forgetRetainOverlap: Int
        public var config: UnlearnTransform
    }

    public func run(modelFolder: URL, data: ForgetRetainData, output: URL, options: HardenRunOptions) throws -> Result {
        try validate()
        if data.overlap > 0 {
            options.log("warning: \(data.overlap) forget row(s) also appear in the retain set; they are pushed away and held at once")
        }
        if needsRetain && data.retain == nil {
            throw HardenError.invalidSetting(name: "retain", value: "none", rule: "\(method.rawValue) needs retain rows (--retain FILE or --world W)")
        }
        var recorded = self
        let result = try UnlearnRunner.run(self, modelFolder: modelFolder, data: data, output: output, options: options) { resolved in
            recorded = resolved
        }
        return Result(result: result, forgetRetainOverlap: data.overlap, config: recorded)
    }
}
