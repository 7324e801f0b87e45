import Foundation
import TemperModels
import TemperTensor

/// RMU's settings resolved against the start model, shared by `temper unlearn rmu` and its
/// job export so both train against the same l, c and u: the layer (given, else
/// `UnlearnTransform.defaultLayer`), c (given, else `steeringScale` × the start model's mean
/// residual norm at l on the first forget batch), and u (`UnlearnLoss.steeringDirection`
/// seeded by `steeringSeed`, else the run's seed). centerforaisafety/wmdp rmu/unlearn.py
/// draws u as torch.rand normalised and uses a fixed c; Temper's scale rule is its own.
struct RMUSetup {
    let layer: Int
    let coefficient: Double
    let residualNorm: Double
    let seed: UInt64
    /// u, [hidden], unit length.
    let direction: Tensor
    /// c·u, [hidden]: what the forget term pulls h_l towards.
    let control: Tensor

    /// `start` is the untrained start model (the run's frozen copy, or the base an export loads).
    init(_ t: UnlearnTransform, start: any CausalLanguageModel, batches: ForgetRetainBatches, modelFolder: URL) throws {
        let layer = t.layer ?? UnlearnTransform.defaultLayer(layerCount: start.layerCount)
        guard (0..<start.layerCount).contains(layer) else {
            throw HardenError.invalidSetting(name: "layer", value: "\(layer)", rule: "must be a block index 0..<\(start.layerCount) of \(modelFolder.path)")
        }
        let norm = try UnlearnLoss.meanResidualNorm(start, try batches.forgetBatch(step: 0), layer: layer)
        let c = t.steeringCoefficient ?? t.steeringScale * norm
        let seed = t.steeringSeed ?? t.training.seed
        let u = try UnlearnLoss.steeringDirection(hidden: start.hiddenSize, seed: seed)
        self.layer = layer; coefficient = c; residualNorm = norm; self.seed = seed
        direction = u
        control = u * Float(c)
    }

    /// The transform as provenance records it: the resolved layer, c, the norm c was set against, the seed of u.
    func recorded(_ t: UnlearnTransform) -> UnlearnTransform {
        var config = t
        config.layer = layer; config.steeringCoefficient = coefficient; config.measuredResidualNorm = residualNorm; config.steeringSeed = seed
        return config
    }

    /// Only the MLP down-projections of blocks l−2…l train.
    func isTrainable(_ p: ModelParameter) -> Bool { UnlearnTransform.isRMUTrainable(p, layer: layer) }
}
