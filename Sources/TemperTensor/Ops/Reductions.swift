/// Sums, means and maxima over axes.
extension Tensor {
    /// Sum over `axes` (all axes when nil). `keepDims` keeps reduced axes as size 1.
    public func sum(axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
        let resolved = try resolveAxes(axes, op: "sum")
        let kept = ReduceKernels.sum(self, axes: resolved)
        let shape = keepDims ? kept.shape : kept.shape.enumerated().filter { !resolved.contains($0.offset) }.map(\.element)
        return Tensor.record(.sum(axes: resolved), Tensor(storage: kept.storage, shape: shape), inputs: [self])
    }

    /// Sum along one axis.
    public func sum(axis: Int, keepDims: Bool = false) throws -> Tensor { try sum(axes: [axis], keepDims: keepDims) }

    /// Mean over `axes` (all when nil). The mean of zero elements is NaN, as in PyTorch.
    public func mean(axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
        let resolved = try resolveAxes(axes, op: "mean")
        let n = resolved.reduce(1) { $0 * shape[$1] }
        return try sum(axes: resolved, keepDims: keepDims) * (1 / Float(n))
    }

    public func mean(axis: Int, keepDims: Bool = false) throws -> Tensor { try mean(axes: [axis], keepDims: keepDims) }

    /// Maximum along `axis`; the gradient flows to the first maximal element.
    public func max(axis: Int, keepDims: Bool = false) throws -> Tensor {
        let a = try Shape.axis(axis, rank: rank, op: "max")
        let (outer, n, inner) = Shape.split(shape, axis: a)
        guard n > 0 else { throw TensorError.invalidShape(op: "max", shape: shape, reason: "reduction over an empty axis") }
        var outShape = shape
        outShape[a] = 1
        let out = Tensor.empty(outShape)
        var indices = [Int32](repeating: 0, count: outer * inner)
        indices.withUnsafeMutableBufferPointer {
            if let base = $0.baseAddress, outer * inner > 0 { ReduceKernels.max(pointer, out.pointer, base, outer: outer, n: n, inner: inner) }
        }
        if !keepDims { outShape.remove(at: a) }
        return Tensor.record(.max(axis: a, indices: indices), Tensor(storage: out.storage, shape: outShape), inputs: [self])
    }

    /// Index of the maximum along the last axis for every row (no gradient).
    public func argmax() -> [Int] {
        guard let n = shape.last, n > 0 else { return [] }
        let rows = count / n
        return (0..<rows).map { row in
            let p = pointer + row * n
            var best = 0
            for i in 1..<n where p[i] > p[best] { best = i }
            return best
        }
    }

    func resolveAxes(_ axes: [Int]?, op: String) throws -> [Int] {
        guard let axes else { return Array(0..<rank) }
        let resolved = try axes.map { try Shape.axis($0, rank: rank, op: op) }
        guard Set(resolved).count == resolved.count else {
            throw TensorError.invalidArgument(op: op, reason: "repeated axis in \(axes)")
        }
        return resolved.sorted()
    }
}
