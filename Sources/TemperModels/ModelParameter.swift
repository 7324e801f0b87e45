import Foundation
import TemperFormats
import TemperTensor

/// Which part of a model a parameter belongs to.
public enum ModuleKind: String, Sendable, CaseIterable, Codable {
    /// Token, position and token-type embeddings (and their LayerNorm in BERT).
    case embedding
    /// Attention projections (q, k, v, o; GPT-2 c_attn / c_proj; BERT self + output dense).
    case attention
    /// Feed-forward projections.
    case mlp
    /// Normalisation weights inside blocks and the final norm.
    case norm
    /// Output heads: an untied lm_head, BERT's pooler.
    case head
}

/// One trainable tensor with its Hugging Face name and place in the model.
///
/// `layer` is the decoder/encoder block index (0-based) for tensors inside a block and nil
/// for tensors outside the blocks (embeddings, final norm, lm_head, pooler). The tensor is the
/// model's live parameter: updating it in place (optimizers, `assign`) changes the model.
public struct ModelParameter {
    public let name: String
    public let tensor: Tensor
    public let layer: Int?
    public let module: ModuleKind
    /// The dtype the tensor had in the checkpoint (and is written back as).
    public let sourceDType: DType

    public init(name: String, tensor: Tensor, layer: Int?, module: ModuleKind, sourceDType: DType = .f32) {
        self.name = name
        self.tensor = tensor
        self.layer = layer
        self.module = module
        self.sourceDType = sourceDType
    }
}

/// Per-layer, per-module groups (for depth audits and per-layer gradient reports).
public struct ParameterGroupKey: Hashable, Sendable, Comparable {
    public let layer: Int?
    public let module: ModuleKind

    public init(layer: Int?, module: ModuleKind) {
        self.layer = layer
        self.module = module
    }

    /// Outside-block parameters first, then blocks in order; modules in declaration order.
    public static func < (a: Self, b: Self) -> Bool {
        let la = a.layer ?? -1, lb = b.layer ?? -1
        if la != lb { return la < lb }
        let order = ModuleKind.allCases
        return (order.firstIndex(of: a.module) ?? 0) < (order.firstIndex(of: b.module) ?? 0)
    }
}

extension Array where Element == ModelParameter {
    /// The parameter with this Hugging Face name.
    public func named(_ name: String) -> ModelParameter? { first { $0.name == name } }

    /// Tensors of the parameters that match `predicate`.
    public func tensors(where predicate: (ModelParameter) -> Bool = { _ in true }) -> [Tensor] {
        filter(predicate).map(\.tensor)
    }

    /// Marks matching parameters trainable (`requiresGrad = true`) and all others frozen, so
    /// backward passes compute no gradients for frozen ones. Returns the trainable ones.
    @discardableResult
    public func setTrainable(where predicate: (ModelParameter) -> Bool) -> [ModelParameter] {
        var trainable: [ModelParameter] = []
        for p in self {
            let on = predicate(p)
            p.tensor.requiresGrad = on
            if !on { p.tensor.grad = nil } else { trainable.append(p) }
        }
        return trainable
    }

    /// Freezes the blocks with index ≤ `layer` (and, when `includingEmbeddings`, the
    /// embeddings): the freeze ablation of a depth audit.
    @discardableResult
    public func freezeLayers(through layer: Int, includingEmbeddings: Bool = true) -> [ModelParameter] {
        setTrainable { p in
            if let l = p.layer { return l > layer }
            return !(includingEmbeddings && p.module == .embedding)
        }
    }

    /// Parameters grouped by (layer, module), groups in model order.
    public func grouped() -> [(key: ParameterGroupKey, parameters: [ModelParameter])] {
        var groups: [ParameterGroupKey: [ModelParameter]] = [:]
        for p in self { groups[ParameterGroupKey(layer: p.layer, module: p.module), default: []].append(p) }
        return groups.keys.sorted().map { ($0, groups[$0] ?? []) }
    }

    /// L2 norm of the accumulated gradients (`.grad`) per (layer, module); groups without
    /// gradients are left out.
    public func gradientNorms() -> [(key: ParameterGroupKey, norm: Double)] {
        grouped().compactMap { group in
            var sum = 0.0
            var any = false
            for p in group.parameters {
                guard let g = p.tensor.grad else { continue }
                any = true
                g.withUnsafeBufferPointer { buffer in
                    for v in buffer { sum += Double(v) * Double(v) }
                }
            }
            return any ? (group.key, sum.squareRoot()) : nil
        }
    }

    /// Gradients of `output` with respect to each parameter, without touching `.grad`
    /// (TemperTensor's `gradients(of:wrt:)`), keyed by Hugging Face name. Only parameters
    /// that require grad are differentiated.
    public func gradients(of output: Tensor) throws -> [(name: String, gradient: Tensor)] {
        let live = filter { $0.tensor.requiresGrad }
        let grads = try TemperTensor.gradients(of: output, wrt: live.map(\.tensor))
        return zip(live, grads).map { ($0.name, $1) }
    }

    /// Total element count.
    public var elementCount: Int { reduce(0) { $0 + $1.tensor.count } }
}
