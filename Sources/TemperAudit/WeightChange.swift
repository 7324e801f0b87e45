import Foundation
import TemperIntegrity
import TemperModels

/// ‖ΔW‖/‖W‖ of one group of tensors: the L2 norm of the change over all elements of the
/// group divided by the L2 norm of the reference weights (sums in f64).
public struct ModuleChange: Sendable, Equatable, Codable {
    /// Block index (nil: outside the blocks — embeddings, final norm, lm_head).
    public var layer: Int?
    public var module: ModuleKind
    /// nil only when the reference weights are all zero and the change is not.
    public var relativeChange: Double?
    public var changeNorm: Double
    public var referenceNorm: Double
    public var tensors: Int
}

/// The same for one whole block (every module of it).
public struct LayerChange: Sendable, Equatable, Codable {
    public var layer: Int
    public var relativeChange: Double?
    public var changeNorm: Double
    public var referenceNorm: Double
    public var tensors: Int
}

/// The same for one tensor.
public struct TensorChange: Sendable, Equatable, Codable {
    public var name: String
    public var layer: Int?
    public var module: ModuleKind
    public var relativeChange: Double?
    public var changeNorm: Double
}

/// Every parameter of one model compared with a reference model.
public struct WeightChangeComparison: Sendable, Equatable, Codable {
    /// Series name in the report ("defended", "attacked").
    public var label: String
    public var reference: String
    public var model: String
    /// Per (layer, module), blocks in order, outside-block groups first.
    public var modules: [ModuleChange]
    /// Per block, all modules together.
    public var layers: [LayerChange]
    public var tensors: [TensorChange]
    /// Tensors whose stored bytes differ (TemperIntegrity's `CheckpointDiff`).
    public var changedTensorFiles: [String]

    /// The group for (layer, module), if the model has one.
    public func change(layer: Int?, module: ModuleKind) -> ModuleChange? {
        modules.first { $0.layer == layer && $0.module == module }
    }
}

public enum WeightChange {
    /// Compares `model`'s parameters with `reference`'s (same names and shapes, as
    /// `AuditInputs.checkCompatible` ensures) and lists changed tensor files.
    public static func compare(reference: AuditModel, model: AuditModel, label: String) throws -> WeightChangeComparison {
        let (ref, cur) = (reference.model.parameters, model.model.parameters)
        guard ref.count == cur.count else {
            throw AuditError.architectureMismatch(first: reference.folder.path, second: model.folder.path,
                                                  detail: "\(ref.count) vs \(cur.count) parameter tensors")
        }
        var tensors: [TensorChange] = []
        var sums: [ParameterGroupKey: (ssd: Double, ssr: Double, count: Int)] = [:]
        var blockSums: [Int: (ssd: Double, ssr: Double, count: Int)] = [:]
        for (a, b) in zip(ref, cur) {
            guard a.name == b.name, a.tensor.shape == b.tensor.shape else {
                throw AuditError.architectureMismatch(first: reference.folder.path, second: model.folder.path,
                                                      detail: "tensor '\(a.name)' \(a.tensor.shape) vs '\(b.name)' \(b.tensor.shape)")
            }
            let (ssd, ssr) = squaredSums(reference: a, model: b)
            tensors.append(TensorChange(name: a.name, layer: a.layer, module: a.module, relativeChange: ratio(ssd, ssr), changeNorm: ssd.squareRoot()))
            let key = ParameterGroupKey(layer: a.layer, module: a.module)
            let s = sums[key] ?? (0, 0, 0)
            sums[key] = (s.ssd + ssd, s.ssr + ssr, s.count + 1)
            if let layer = a.layer {
                let t = blockSums[layer] ?? (0, 0, 0)
                blockSums[layer] = (t.ssd + ssd, t.ssr + ssr, t.count + 1)
            }
        }
        let modules = sums.keys.sorted().map { key -> ModuleChange in
            let s = sums[key] ?? (0, 0, 0)
            return ModuleChange(layer: key.layer, module: key.module, relativeChange: ratio(s.ssd, s.ssr),
                                changeNorm: s.ssd.squareRoot(), referenceNorm: s.ssr.squareRoot(), tensors: s.count)
        }
        let layers = blockSums.keys.sorted().map { layer -> LayerChange in
            let s = blockSums[layer] ?? (0, 0, 0)
            return LayerChange(layer: layer, relativeChange: ratio(s.ssd, s.ssr),
                                changeNorm: s.ssd.squareRoot(), referenceNorm: s.ssr.squareRoot(), tensors: s.count)
        }
        let diff = try CheckpointDiff.compare(reference.folder.path, model.folder.path, workers: 2)
        return WeightChangeComparison(label: label, reference: reference.folder.path, model: model.folder.path, modules: modules,
                                      layers: layers, tensors: tensors, changedTensorFiles: diff.differences.map(\.name))
    }

    static func ratio(_ ssd: Double, _ ssr: Double) -> Double? {
        if ssd == 0 { return 0 }
        return ssr > 0 ? (ssd / ssr).squareRoot() : nil
    }

    /// (Σ (b − a)², Σ a²) in f64.
    static func squaredSums(reference a: ModelParameter, model b: ModelParameter) -> (Double, Double) {
        a.tensor.withUnsafeBufferPointer { x in
            b.tensor.withUnsafeBufferPointer { y in
                var ssd = 0.0, ssr = 0.0
                for i in 0..<min(x.count, y.count) {
                    let r = Double(x[i]), d = Double(y[i]) - r
                    ssd += d * d
                    ssr += r * r
                }
                return (ssd, ssr)
            }
        }
    }
}
