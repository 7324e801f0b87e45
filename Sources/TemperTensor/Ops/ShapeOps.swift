/// Reshapes (views), permutations, broadcasting, slicing, concatenation and gathers.
extension Tensor {
    /// Same elements, new shape (a view; no copy). One dim may be -1 (inferred).
    public func reshape(_ newShape: [Int]) throws -> Tensor {
        var resolved = newShape
        let inferred = newShape.indices.filter { newShape[$0] == -1 }
        guard inferred.count <= 1 else { throw TensorError.invalidShape(op: "reshape", shape: newShape, reason: "more than one -1") }
        if let i = inferred.first {
            var known = newShape
            known[i] = 1
            let rest = try Shape.checkedCount(known, op: "reshape")
            guard rest > 0, count % rest == 0 else { throw TensorError.shapeMismatch(op: "reshape", lhs: shape, rhs: newShape) }
            resolved[i] = count / rest
        }
        guard try Shape.checkedCount(resolved, op: "reshape") == count else {
            throw TensorError.shapeMismatch(op: "reshape", lhs: shape, rhs: newShape)
        }
        if resolved == shape { return self }
        return Tensor.record(.reshape, Tensor(storage: storage, shape: resolved), inputs: [self])
    }

    /// Collapses axes `start...end` into one.
    public func flatten(from start: Int = 0, through end: Int = -1) throws -> Tensor {
        guard rank > 0 else { return try reshape([1]) }
        let s = try Shape.axis(start, rank: rank, op: "flatten"), e = try Shape.axis(end, rank: rank, op: "flatten")
        guard s <= e else { throw TensorError.invalidArgument(op: "flatten", reason: "start \(start) after end \(end)") }
        return try reshape(Array(shape[..<s]) + [shape[s...e].reduce(1, *)] + Array(shape[(e + 1)...]))
    }

    /// Inserts a size-1 axis at `axis` (in the result's numbering).
    public func unsqueeze(_ axis: Int) throws -> Tensor {
        var s = shape
        s.insert(1, at: try Shape.axis(axis, rank: rank + 1, op: "unsqueeze"))
        return try reshape(s)
    }

    /// Removes a size-1 axis.
    public func squeeze(_ axis: Int) throws -> Tensor {
        let a = try Shape.axis(axis, rank: rank, op: "squeeze")
        guard shape[a] == 1 else { throw TensorError.invalidArgument(op: "squeeze", reason: "axis \(axis) of \(shape) is not 1") }
        var s = shape
        s.remove(at: a)
        return try reshape(s)
    }

    /// Reorders axes: result axis i is this tensor's axis `order[i]` (a copy).
    public func permute(_ order: [Int]) throws -> Tensor {
        let resolved = try order.map { try Shape.axis($0, rank: rank, op: "permute") }
        guard resolved.count == rank, Set(resolved).count == rank else {
            throw TensorError.invalidArgument(op: "permute", reason: "\(order) is not a permutation of \(rank) axes")
        }
        if resolved == Array(0..<rank) { return self }
        return Tensor.record(.permute(resolved), CopyKernels.permute(self, resolved), inputs: [self])
    }

    /// Swaps two axes (a copy).
    public func transpose(_ a: Int = -2, _ b: Int = -1) throws -> Tensor {
        let x = try Shape.axis(a, rank: rank, op: "transpose"), y = try Shape.axis(b, rank: rank, op: "transpose")
        var order = Array(0..<rank)
        order.swapAt(x, y)
        return try permute(order)
    }

    /// Broadcasts to `target` (NumPy rules; a copy). Gradient sums over stretched dims.
    public func broadcast(to target: [Int]) throws -> Tensor {
        guard try Shape.broadcast(shape, target, op: "broadcast") == target else {
            throw TensorError.shapeMismatch(op: "broadcast", lhs: shape, rhs: target)
        }
        if target == shape { return self }
        return Tensor.record(.broadcast, BroadcastKernels.expand(self, to: target), inputs: [self])
    }

    /// Elements `range` along `axis` (a copy).
    public func slice(axis: Int, _ range: Range<Int>) throws -> Tensor {
        let a = try Shape.axis(axis, rank: rank, op: "slice")
        guard range.lowerBound >= 0, range.upperBound <= shape[a] else {
            throw TensorError.indexOutOfRange(op: "slice \(range) of axis \(axis) in \(shape)", index: range.upperBound, bound: shape[a] + 1)
        }
        if range.count == shape[a] { return self }
        let out = CopyKernels.slice(self, axis: a, start: range.lowerBound, length: range.count)
        return Tensor.record(.slice(axis: a, start: range.lowerBound), out, inputs: [self])
    }

    /// Splits along `axis` into pieces of the given sizes (which must add up to the dim).
    public func split(axis: Int, sizes: [Int]) throws -> [Tensor] {
        let a = try Shape.axis(axis, rank: rank, op: "split")
        guard sizes.allSatisfy({ $0 >= 0 }), sizes.reduce(0, +) == shape[a] else {
            throw TensorError.invalidArgument(op: "split", reason: "sizes \(sizes) do not add up to \(shape[a]) (axis \(axis) of \(shape))")
        }
        var start = 0
        return try sizes.map { size in
            defer { start += size }
            return try slice(axis: a, start..<(start + size))
        }
    }

    /// Splits along `axis` into `parts` equal pieces.
    public func chunk(_ parts: Int, axis: Int) throws -> [Tensor] {
        let a = try Shape.axis(axis, rank: rank, op: "chunk")
        guard parts > 0, shape[a] % parts == 0 else {
            throw TensorError.invalidArgument(op: "chunk", reason: "axis \(axis) of \(shape) does not split into \(parts)")
        }
        return try split(axis: a, sizes: Array(repeating: shape[a] / parts, count: parts))
    }

    /// Rows `indices` along `axis` (repeats allowed). Gradient scatter-adds back.
    public func indexSelect(axis: Int, _ indices: [Int]) throws -> Tensor {
        let a = try Shape.axis(axis, rank: rank, op: "indexSelect")
        for index in indices where index < 0 || index >= shape[a] {
            throw TensorError.indexOutOfRange(op: "indexSelect axis \(axis) of \(shape)", index: index, bound: shape[a])
        }
        let out = CopyKernels.gather(self, axis: a, indices: indices)
        return Tensor.record(.indexSelect(axis: a, indices: indices), out, inputs: [self])
    }
}

/// Concatenates along `axis`; all other dims must agree.
public func concat(_ tensors: [Tensor], axis: Int) throws -> Tensor {
    guard let first = tensors.first else { throw TensorError.invalidArgument(op: "concat", reason: "no tensors") }
    let a = try Shape.axis(axis, rank: first.rank, op: "concat")
    var shape = first.shape
    shape[a] = 0
    for t in tensors {
        var rest = t.shape
        guard rest.count == first.rank else { throw TensorError.shapeMismatch(op: "concat", lhs: first.shape, rhs: t.shape) }
        rest[a] = first.shape[a]
        guard rest == first.shape else { throw TensorError.shapeMismatch(op: "concat", lhs: first.shape, rhs: t.shape) }
        shape[a] += t.shape[a]
    }
    return Tensor.record(.concat(axis: a), CopyKernels.concat(tensors, axis: a, shape: shape), inputs: tensors)
}

/// Stacks equally shaped tensors along a new axis.
public func stack(_ tensors: [Tensor], axis: Int = 0) throws -> Tensor {
    guard let first = tensors.first else { throw TensorError.invalidArgument(op: "stack", reason: "no tensors") }
    let a = try Shape.axis(axis, rank: first.rank + 1, op: "stack")
    return try concat(tensors.map { try $0.unsqueeze(a) }, axis: a)
}
