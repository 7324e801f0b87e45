/// Reverse-mode traversal: topological order of the recorded graph, one backward rule
/// per node, gradients summed where a tensor feeds several ops.
enum Engine {
    /// Gradients of `root` (seeded with `seed`) for every tensor in `wanted`, keyed by
    /// identity. Only the part of the graph that reaches `wanted` is differentiated.
    static func run(root: Tensor, seed: Tensor, wanted: [Tensor]) throws -> [ObjectIdentifier: Tensor] {
        let order = topologicalOrder(root)
        let wantedIDs = Set(wanted.map(ObjectIdentifier.init))
        // A tensor is relevant when it is wanted or one of its inputs is relevant.
        var relevant = Set<ObjectIdentifier>()
        for t in order {
            let id = ObjectIdentifier(t)
            if wantedIDs.contains(id) || t.node?.inputs.contains(where: { relevant.contains(ObjectIdentifier($0)) }) == true {
                relevant.insert(id)
            }
        }
        var grads: [ObjectIdentifier: Tensor] = [ObjectIdentifier(root): seed]
        try noGrad {
            for t in order.reversed() {
                let id = ObjectIdentifier(t)
                guard let node = t.node, relevant.contains(id), let g = grads[id] else { continue }
                if !wantedIDs.contains(id) { grads[id] = nil }
                let needs = node.inputs.map { $0.requiresGrad && relevant.contains(ObjectIdentifier($0)) }
                guard needs.contains(true) else { continue }
                let inputGrads = try Backward.rule(node, output: t, gradient: g, needs: needs)
                for (input, grad) in zip(node.inputs, inputGrads) {
                    guard let grad, relevant.contains(ObjectIdentifier(input)) else { continue }
                    guard grad.shape == input.shape else {
                        throw TensorError.shapeMismatch(op: "backward of \(node.op)", lhs: input.shape, rhs: grad.shape)
                    }
                    let key = ObjectIdentifier(input)
                    grads[key] = try grads[key].map { try $0 + grad } ?? grad
                }
            }
        }
        return grads
    }

    /// Tensors reachable from `root` (inputs before the ops that use them), iteratively.
    static func topologicalOrder(_ root: Tensor) -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Bool)] = [(root, false)]
        while let (t, expanded) = stack.popLast() {
            if expanded {
                order.append(t)
                continue
            }
            guard visited.insert(ObjectIdentifier(t)).inserted else { continue }
            stack.append((t, true))
            for input in t.node?.inputs ?? [] where input.requiresGrad && !visited.contains(ObjectIdentifier(input)) {
                stack.append((input, false))
            }
        }
        return order
    }

    static func seed(for output: Tensor, _ seed: Tensor?) throws -> Tensor {
        guard output.requiresGrad else {
            throw TensorError.notDifferentiable(reason: "the output \(output.shape) does not require grad (no recorded graph)")
        }
        if let seed {
            guard seed.shape == output.shape else { throw TensorError.shapeMismatch(op: "backward seed", lhs: output.shape, rhs: seed.shape) }
            return seed.detach()
        }
        guard output.count == 1 else {
            throw TensorError.invalidShape(op: "backward", shape: output.shape, reason: "a non-scalar output needs an explicit seed")
        }
        return Tensor(storage: TensorStorage(repeating: 1, count: 1), shape: output.shape)
    }
}

extension Tensor {
    /// Back-propagates from this tensor (a scalar, or any shape with `seed` = ∂L/∂self) and
    /// adds the gradient into `.grad` of every leaf that requires grad.
    public func backward(seed: Tensor? = nil) throws {
        let start = try Engine.seed(for: self, seed)
        let leaves = Engine.topologicalOrder(self).filter { $0.isLeaf && $0.requiresGrad }
        let grads = try Engine.run(root: self, seed: start, wanted: leaves)
        for leaf in leaves {
            guard let g = grads[ObjectIdentifier(leaf)] else { continue }
            leaf.grad = try noGrad { try leaf.grad.map { try $0 + g } ?? g }
        }
    }
}

/// ∂output/∂t for each t in `inputs` (leaves or intermediate activations), without touching
/// any `.grad`. Inputs the output does not depend on get zeros. `seed` as in `backward`.
public func gradients(of output: Tensor, wrt inputs: [Tensor], seed: Tensor? = nil) throws -> [Tensor] {
    for t in inputs where !t.requiresGrad {
        throw TensorError.notDifferentiable(reason: "a tensor \(t.shape) in wrt does not require grad")
    }
    let start = try Engine.seed(for: output, seed)
    let grads = try Engine.run(root: output, seed: start, wanted: inputs)
    return inputs.map { grads[ObjectIdentifier($0)] ?? Tensor.zeros(like: $0) }
}

/// Evaluates `body` with grad mode on and returns its value with the gradients of that
/// value with respect to `inputs` (which must require grad).
public func valueWithGradients(wrt inputs: [Tensor], _ body: () throws -> Tensor) throws -> (value: Tensor, gradients: [Tensor]) {
    let value = try withGrad(body)
    return (value, try gradients(of: value, wrt: inputs))
}
