/// Binary elementwise loops with NumPy broadcasting. Dims are collapsed first, so the
/// common cases (same shape, scalar, bias row) run as one flat vectorizable loop.
enum BinaryKind { case add, sub, mul, div, first }

/// A broadcast iteration plan: collapsed dims with each operand's strides.
struct BroadcastPlan {
    var dims: [Int]
    var stridesA: [Int]
    var stridesB: [Int]
    let count: Int

    init(a: [Int], b: [Int], out: [Int]) {
        let sa = Shape.broadcastStrides(a, to: out)
        let sb = Shape.broadcastStrides(b, to: out)
        var dims: [Int] = [], strA: [Int] = [], strB: [Int] = []
        for i in 0..<out.count where out[i] != 1 {
            if let last = dims.last, strA.last! == sa[i] * out[i], strB.last! == sb[i] * out[i] {
                dims[dims.count - 1] = last * out[i]
                strA[strA.count - 1] = sa[i]
                strB[strB.count - 1] = sb[i]
            } else {
                dims.append(out[i]); strA.append(sa[i]); strB.append(sb[i])
            }
        }
        if dims.isEmpty { dims = [1]; strA = [0]; strB = [0] }
        self.dims = dims
        self.stridesA = strA
        self.stridesB = strB
        self.count = Shape.count(out)
    }

    /// Calls `inner(offsetA, strideA, offsetB, strideB, outOffset, length)` for each run of
    /// output elements in `range`, where strides along the run are 0 or 1.
    @inline(__always)
    func forEachRun(in range: Range<Int>, _ inner: (Int, Int, Int, Int, Int, Int) -> Void) {
        let n = dims[dims.count - 1]
        let ia = stridesA[dims.count - 1], ib = stridesB[dims.count - 1]
        var index = range.lowerBound
        while index < range.upperBound {
            let row = index / n, col = index % n
            var rem = row, offA = 0, offB = 0
            var d = dims.count - 2
            while d >= 0 {
                let i = rem % dims[d]
                rem /= dims[d]
                offA += i * stridesA[d]
                offB += i * stridesB[d]
                d -= 1
            }
            let length = Swift.min(n - col, range.upperBound - index)
            inner(offA + col * ia, ia, offB + col * ib, ib, index, length)
            index += length
        }
    }
}

/// Binary element functions as structs, for the same reason as `ElementFunction`.
protocol BinaryFunction { func callAsFunction(_ a: Float, _ b: Float) -> Float }
private struct Add: BinaryFunction { func callAsFunction(_ a: Float, _ b: Float) -> Float { a + b } }
private struct Sub: BinaryFunction { func callAsFunction(_ a: Float, _ b: Float) -> Float { a - b } }
private struct Mul: BinaryFunction { func callAsFunction(_ a: Float, _ b: Float) -> Float { a * b } }
private struct Div: BinaryFunction { func callAsFunction(_ a: Float, _ b: Float) -> Float { a / b } }
private struct First: BinaryFunction { func callAsFunction(_ a: Float, _ b: Float) -> Float { a } }

@inline(__always)
private func run<F: BinaryFunction>(_ plan: BroadcastPlan, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                                    _ out: UnsafeMutablePointer<Float>, _ f: F) {
    Parallel.chunks(plan.count) { range in
        plan.forEachRun(in: range) { oa, ia, ob, ib, oo, len in
            let pa = a + oa, pb = b + ob, po = out + oo
            switch (ia, ib) {
            case (1, 1): for j in 0..<len { po[j] = f(pa[j], pb[j]) }
            case (1, _): let vb = pb[0]; for j in 0..<len { po[j] = f(pa[j], vb) }
            case (_, 1): let va = pa[0]; for j in 0..<len { po[j] = f(va, pb[j]) }
            default: let v = f(pa[0], pb[0]); for j in 0..<len { po[j] = v }
            }
        }
    }
}

enum BroadcastKernels {
    /// out = a ∘ b, broadcast to `outShape`.
    static func binary(_ kind: BinaryKind, _ a: Tensor, _ b: Tensor, outShape: [Int]) -> Tensor {
        let out = Tensor.empty(outShape)
        let plan = BroadcastPlan(a: a.shape, b: b.shape, out: outShape)
        let pa = UnsafePointer(a.pointer), pb = UnsafePointer(b.pointer), po = out.pointer
        switch kind {
        case .add: run(plan, pa, pb, po, Add())
        case .sub: run(plan, pa, pb, po, Sub())
        case .mul: run(plan, pa, pb, po, Mul())
        case .div: run(plan, pa, pb, po, Div())
        case .first: run(plan, pa, pb, po, First())
        }
        return out
    }

    /// `a` expanded to `shape` (a copy).
    static func expand(_ a: Tensor, to shape: [Int]) -> Tensor {
        binary(.first, a, a, outShape: shape)
    }

    /// Sums `g` (shaped like a broadcast result) down to `shape`: the adjoint of broadcasting.
    static func reduce(_ g: Tensor, to shape: [Int]) -> Tensor {
        if g.shape == shape { return g }
        let offset = g.rank - shape.count
        var axes: [Int] = []
        for axis in 0..<g.rank where axis < offset || (shape[axis - offset] == 1 && g.shape[axis] != 1) {
            axes.append(axis)
        }
        let summed = ReduceKernels.sum(g, axes: axes)
        return Tensor(storage: summed.storage, shape: shape)
    }
}
