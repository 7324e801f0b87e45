/// Shape arithmetic shared by ops: element counts, strides, axes and NumPy broadcasting.
enum Shape {
    /// Element count of a validated shape (dims ≥ 0, product fits in Int).
    static func count(_ shape: [Int]) -> Int { shape.reduce(1, *) }

    /// Validates dims and returns the element count without overflowing.
    static func checkedCount(_ shape: [Int], op: String) throws -> Int {
        var total = 1
        for dim in shape {
            guard dim >= 0 else { throw TensorError.invalidShape(op: op, shape: shape, reason: "negative dimension") }
            let (product, overflow) = total.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw TensorError.invalidShape(op: op, shape: shape, reason: "element count overflows") }
            total = product
        }
        return total
    }

    /// Row-major strides of a contiguous tensor.
    static func strides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = running
            running *= shape[axis]
        }
        return strides
    }

    /// Maps a possibly negative axis into `0..<rank`.
    static func axis(_ axis: Int, rank: Int, op: String) throws -> Int {
        let resolved = axis < 0 ? axis + rank : axis
        guard resolved >= 0, resolved < rank else { throw TensorError.invalidAxis(op: op, axis: axis, rank: rank) }
        return resolved
    }

    /// (outer, size, inner) around `axis`: the usual view of a tensor for per-axis kernels.
    static func split(_ shape: [Int], axis: Int) -> (outer: Int, size: Int, inner: Int) {
        let outer = shape[..<axis].reduce(1, *)
        let inner = shape[(axis + 1)...].reduce(1, *)
        return (outer, shape[axis], inner)
    }

    /// NumPy broadcasting of two shapes (right-aligned; a dim of 1 stretches).
    static func broadcast(_ a: [Int], _ b: [Int], op: String) throws -> [Int] {
        let rank = max(a.count, b.count)
        var out = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if da == db || db == 1 {
                out[i] = da
            } else if da == 1 {
                out[i] = db
            } else {
                throw TensorError.shapeMismatch(op: op, lhs: a, rhs: b)
            }
        }
        return out
    }

    /// Strides for reading `shape` as if broadcast to `target` (0 where a dim is stretched).
    static func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
        let own = strides(shape)
        let offset = target.count - shape.count
        return (0..<target.count).map { i in
            i < offset || (shape[i - offset] == 1 && target[i] != 1) ? 0 : own[i - offset]
        }
    }
}
