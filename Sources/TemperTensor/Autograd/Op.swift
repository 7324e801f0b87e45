/// The primitives autograd knows. Associated values are each op's configuration and any
/// non-tensor state the backward rule needs (indices, targets); saved tensors live in
/// `Node.saved`. Composite ops (mean, MSE, dropout, masks, GELU built by hand, …) are
/// expressed through these and need no rule of their own. Rules: `Backward.swift`.
enum Op {
    // Broadcasting arithmetic; inputs (a, b).
    case add, sub, mul, div
    /// Elementwise f(x); saved: [output].
    case unary(UnaryOp)
    /// op(A)·op(B) with batch dims; inputs (A, B).
    case matmul(transposeA: Bool, transposeB: Bool)
    /// x·Wᵀ (+ b); inputs (x, W[, b]).
    case linear
    /// Sum over `axes` of the input (output keeps or drops them; backward re-expands).
    case sum(axes: [Int])
    /// Max along `axis`; `indices` are the winners' positions along the axis.
    case max(axis: Int, indices: [Int32])
    case reshape
    case permute([Int])
    /// Broadcast (expand) of the input to the output shape.
    case broadcast
    case slice(axis: Int, start: Int)
    case concat(axis: Int)
    case indexSelect(axis: Int, indices: [Int])
    /// Along the last axis; saved: [output].
    case softmax, logSoftmax
    /// Inputs (x, weight); saved: [rstd per row].
    case rmsNorm(eps: Float)
    /// Inputs (x[, weight][, bias]); saved: [mean per row, rstd per row].
    case layerNorm(eps: Float, hasWeight: Bool, hasBias: Bool)
    /// Input (weight); rows gathered by `ids`.
    case embedding(ids: [Int])
    case rope(RoPETable)
    /// Inputs (q, k, v); saved: [probabilities, output].
    case attention(AttentionConfig)
    /// Input (logits); saved: [log-sum-exp per row].
    case crossEntropy(targets: [Int], ignoreIndex: Int, reduction: Reduction)
    /// Cross-entropy of x·Wᵀ, chunked (LinearCrossEntropy.swift); inputs (x, W); saved:
    /// [log-sum-exp per counted row].
    case linearCrossEntropy(targets: [Int], ignoreIndex: Int, reduction: Reduction)
    /// ‖xᵢ − yⱼ‖²; inputs (x, y).
    case squaredDistances
}

/// One recorded op application: what produced a tensor, from what, with what saved.
/// Each node belongs to exactly one tensor (its output).
final class Node {
    let op: Op
    private(set) var inputs: [Tensor]
    let saved: [Tensor]

    init(op: Op, inputs: [Tensor], saved: [Tensor]) {
        self.op = op
        self.inputs = inputs
        self.saved = saved
    }

    /// Tears long chains down iteratively: a tensor only we still hold hands its inputs
    /// to this loop before it dies, so freeing a deep graph never recurses deeply.
    deinit {
        var pending = inputs
        inputs = []
        while var tensor = pending.popLast() {
            if isKnownUniquelyReferenced(&tensor), let node = tensor.node {
                pending.append(contentsOf: node.inputs)
                node.inputs = []
            }
        }
    }
}

extension Tensor {
    /// Returns `output`, recorded as produced by `op` when grad mode is on and some input
    /// requires grad. `saved` must not contain tensors carrying nodes that reference the
    /// result (pass `output` itself, which has none, to save the forward result).
    static func record(_ op: @autoclosure () -> Op, _ output: Tensor, inputs: [Tensor],
                       saved: @autoclosure () -> [Tensor] = []) -> Tensor {
        guard inputs.contains(where: { $0.requiresGrad }), GradMode.isEnabled else { return output }
        let node = Node(op: op(), inputs: inputs, saved: saved())
        return Tensor(storage: output.storage, shape: output.shape, node: node)
    }
}
