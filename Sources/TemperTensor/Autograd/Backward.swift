/// The backward rules: one case per primitive in `Op`, returning ∂L/∂input for each input
/// whose `needs` flag is set (nil otherwise). Runs under `noGrad`. Every rule is checked
/// against central finite differences in TemperTensorTests.
enum Backward {
    static func rule(_ node: Node, output: Tensor, gradient g: Tensor, needs: [Bool]) throws -> [Tensor?] {
        let x = node.inputs
        func reduce(_ t: @autoclosure () throws -> Tensor, _ i: Int) rethrows -> Tensor? {
            needs[i] ? BroadcastKernels.reduce(try t(), to: x[i].shape) : nil
        }
        switch node.op {
        case .add:
            return [reduce(g, 0), reduce(g, 1)]
        case .sub:
            return [reduce(g, 0), reduce(-g, 1)]
        case .mul:
            return [try reduce(g * x[1], 0), try reduce(g * x[0], 1)]
        case .div: // ∂(a/b)/∂b = −(a/b)/b
            return [try reduce(g / x[1], 0), try reduce(-(g * output / x[1]), 1)]
        case let .unary(op):
            let dx = Tensor.empty(x[0].shape)
            UnaryKernels.backward(op, x: x[0].pointer, y: node.saved[0].pointer, g: g.pointer, out: dx.pointer, dx.count)
            return [dx]
        case let .matmul(transposeA, transposeB):
            return try matmul(x[0], x[1], transposeA, transposeB, g, needs)
        case .linear:
            return linear(x, g, needs)
        case let .sum(axes):
            var kept = x[0].shape
            for axis in axes { kept[axis] = 1 }
            return [BroadcastKernels.expand(Tensor(storage: g.storage, shape: kept), to: x[0].shape)]
        case let .max(axis, indices):
            let (outer, n, inner) = Shape.split(x[0].shape, axis: axis)
            let dx = Tensor.zeros(like: x[0])
            for o in 0..<outer {
                for i in 0..<inner { dx.pointer[(o * n + Int(indices[o * inner + i])) * inner + i] = g.pointer[o * inner + i] }
            }
            return [dx]
        case .reshape:
            return [Tensor(storage: g.storage, shape: x[0].shape)]
        case let .permute(order):
            var inverse = order
            for (i, axis) in order.enumerated() { inverse[axis] = i }
            return [CopyKernels.permute(g, inverse)]
        case .broadcast:
            return [BroadcastKernels.reduce(g, to: x[0].shape)]
        case let .slice(axis, start):
            return [CopyKernels.unslice(g, shape: x[0].shape, axis: axis, start: start)]
        case let .concat(axis):
            var start = 0
            return x.enumerated().map { i, part in
                defer { start += part.shape[axis] }
                return needs[i] ? CopyKernels.slice(g, axis: axis, start: start, length: part.shape[axis]) : nil
            }
        case let .indexSelect(axis, indices):
            return [CopyKernels.scatterAdd(g, shape: x[0].shape, axis: axis, indices: indices)]
        case .softmax, .logSoftmax:
            let dx = Tensor.empty(x[0].shape), n = x[0].shape.last ?? 1
            SoftmaxKernels.backward(y: node.saved[0].pointer, g: g.pointer, dx: dx.pointer, rows: n == 0 ? 0 : dx.count / n,
                                    n: n, log: { if case .logSoftmax = node.op { return true } else { return false } }())
            return [dx]
        case .rmsNorm:
            let n = x[1].count, rows = n == 0 ? 0 : x[0].count / n
            let dx = needs[0] ? Tensor.empty(x[0].shape) : nil, dw = needs[1] ? Tensor.empty(x[1].shape) : nil
            NormKernels.rmsBackward(x: x[0].pointer, w: x[1].pointer, rstd: node.saved[0].pointer, g: g.pointer,
                                    dx: dx?.pointer, dw: dw?.pointer, rows: rows, n: n)
            return [dx, dw]
        case let .layerNorm(_, hasWeight, hasBias):
            return layerNorm(x, node.saved, g, needs, hasWeight: hasWeight, hasBias: hasBias)
        case let .embedding(ids):
            let flat = Tensor(storage: g.storage, shape: [ids.count, x[0].shape[1]])
            return [CopyKernels.scatterAdd(flat, shape: x[0].shape, axis: 0, indices: ids)]
        case let .rope(table):
            let dx = Tensor.empty(x[0].shape)
            RoPEKernel.apply(table, x: g.pointer, y: dx.pointer, shape: x[0].shape, inverse: true)
            return [dx]
        case let .attention(config):
            let geometry = AttentionGeometry(q: x[0].shape, k: x[1].shape, v: x[2].shape)
            let dq = Tensor.empty(x[0].shape), dk = Tensor.empty(x[1].shape), dv = Tensor.empty(x[2].shape)
            AttentionKernels.backward(geometry, config, q: x[0].pointer, k: x[1].pointer, v: x[2].pointer,
                                      probs: node.saved[0].pointer, out: node.saved[1].pointer, dOut: g.pointer,
                                      dq: dq.pointer, dk: dk.pointer, dv: dv.pointer)
            return [dq, dk, dv]
        case let .crossEntropy(targets, ignoreIndex, reduction):
            let dx = Tensor.empty(x[0].shape)
            let valid = targets.reduce(0) { $0 + ($1 == ignoreIndex ? 0 : 1) }
            let scale: Float = reduction == .mean ? (valid == 0 ? 0 : 1 / Float(valid)) : 1
            let gp = g.pointer, g0 = g.pointer[0]
            CrossEntropyKernels.backward(x[0].pointer, targets: targets, ignoreIndex: ignoreIndex, vocab: x[0].shape.last ?? 1,
                                         lse: node.saved[0].pointer, coef: { reduction == .none ? gp[$0] : g0 * scale },
                                         dx: dx.pointer)
            return [dx]
        case let .linearCrossEntropy(targets, ignoreIndex, reduction):
            let plan = LinearCrossEntropyPlan(targets: targets, ignoreIndex: ignoreIndex, vocab: x[1].shape[0], hidden: x[1].shape[1])
            let count = plan.counted.count
            let coef = g.pointer[0] * (reduction == .mean ? (count == 0 ? 0 : 1 / Float(count)) : 1)
            let dx = needs[0] ? Tensor.zeros(like: x[0]) : nil, dw = needs[1] ? Tensor.zeros(like: x[1]) : nil
            plan.backward(x: x[0].pointer, weight: x[1].pointer, lse: node.saved[0].pointer, coef: coef,
                          dx: dx?.pointer, dWeight: dw?.pointer)
            return [dx, dw]
        case .squaredDistances:
            return squaredDistances(x[0], x[1], g, needs)
        }
    }

    /// op(A)·op(B): dA = dC·op(B)ᵀ, dB = op(A)ᵀ·dC, transposed back where op transposes,
    /// summed over the batch for an operand shared across it.
    static func matmul(_ a: Tensor, _ b: Tensor, _ tA: Bool, _ tB: Bool, _ g: Tensor, _ needs: [Bool]) throws -> [Tensor?] {
        var da: Tensor?, db: Tensor?
        if needs[0] {
            let full = tA ? try b.matmul(g, transposeSelf: tB, transposeOther: true) : try g.matmul(b, transposeOther: !tB)
            da = BroadcastKernels.reduce(full, to: a.shape)
        }
        if needs[1] {
            if b.rank == 2 && a.rank > 2 && !tA {
                // Fold the batch into rows: one product that also does the batch sum.
                let a2 = try a.reshape([-1, a.shape[a.rank - 1]]), g2 = try g.reshape([-1, g.shape[g.rank - 1]])
                db = tB ? try g2.matmul(a2, transposeSelf: true) : try a2.matmul(g2, transposeSelf: true)
            } else {
                let full = tB ? try g.matmul(a, transposeSelf: true, transposeOther: tA) : try a.matmul(g, transposeSelf: !tA)
                db = BroadcastKernels.reduce(full, to: b.shape)
            }
        }
        return [da, db]
    }

    /// y = x·Wᵀ + b: dx = g·W, dW = gᵀ·x, db = Σ_rows g.
    static func linear(_ x: [Tensor], _ g: Tensor, _ needs: [Bool]) -> [Tensor?] {
        let (outF, inF) = (x[1].shape[0], x[1].shape[1])
        let rows = g.count / max(outF, 1)
        var result: [Tensor?] = [nil, nil]
        if needs[0] {
            let dx = Tensor.empty(x[0].shape)
            BLAS.gemm(transA: false, transB: false, m: rows, n: inF, k: outF, alpha: 1, a: g.pointer, lda: max(outF, 1),
                      b: x[1].pointer, ldb: max(inF, 1), beta: 0, c: dx.pointer, ldc: max(inF, 1))
            result[0] = dx
        }
        if needs[1] {
            let dw = Tensor.empty(x[1].shape)
            BLAS.gemm(transA: true, transB: false, m: outF, n: inF, k: rows, alpha: 1, a: g.pointer, lda: max(outF, 1),
                      b: x[0].pointer, ldb: max(inF, 1), beta: 0, c: dw.pointer, ldc: max(inF, 1))
            result[1] = dw
        }
        if x.count == 3 {
            result.append(nil)
            if needs[2] {
                let db = Tensor.empty([outF])
                ReduceKernels.sumAxis(g.pointer, db.pointer, outer: 1, n: rows, inner: outF)
                result[2] = db
            }
        }
        return result
    }

    static func layerNorm(_ x: [Tensor], _ saved: [Tensor], _ g: Tensor, _ needs: [Bool], hasWeight: Bool, hasBias: Bool) -> [Tensor?] {
        let n = x[0].shape.last ?? 1, rows = n == 0 ? 0 : x[0].count / n
        let weight = hasWeight ? x[1] : nil
        let biasIndex = hasWeight ? 2 : 1
        let dx = needs[0] ? Tensor.empty(x[0].shape) : nil
        let dw = hasWeight && needs[1] ? Tensor.empty([n]) : nil
        let db = hasBias && needs[biasIndex] ? Tensor.empty([n]) : nil
        NormKernels.layerBackward(x: x[0].pointer, w: weight?.pointer, mean: saved[0].pointer, rstd: saved[1].pointer,
                                  g: g.pointer, dx: dx?.pointer, dw: dw?.pointer, db: db?.pointer, rows: rows, n: n)
        return [dx] + (hasWeight ? [dw] : []) + (hasBias ? [db] : [])
    }

    /// D = ‖xᵢ − yⱼ‖²: dX = 2(rowsum(G)·X − G·Y), dY = 2(colsum(G)·Y − Gᵀ·X).
    static func squaredDistances(_ x: Tensor, _ y: Tensor, _ g: Tensor, _ needs: [Bool]) -> [Tensor?] {
        let (n, m, d) = (x.shape[0], y.shape[0], x.shape[1])
        var result: [Tensor?] = [nil, nil]
        if needs[0] {
            let dx = Tensor.empty(x.shape)
            BLAS.gemm(transA: false, transB: false, m: n, n: d, k: m, alpha: -2, a: g.pointer, lda: max(m, 1),
                      b: y.pointer, ldb: max(d, 1), beta: 0, c: dx.pointer, ldc: max(d, 1))
            for i in 0..<n {
                let s = 2 * ReduceKernels.sumRow(g.pointer + i * m, m)
                for c in 0..<d { dx.pointer[i * d + c] += s * x.pointer[i * d + c] }
            }
            result[0] = dx
        }
        if needs[1] {
            let dy = Tensor.empty(y.shape)
            BLAS.gemm(transA: true, transB: false, m: m, n: d, k: n, alpha: -2, a: g.pointer, lda: max(m, 1),
                      b: x.pointer, ldb: max(d, 1), beta: 0, c: dy.pointer, ldc: max(d, 1))
            var colSums = [Float](repeating: 0, count: m)
            for i in 0..<n { for j in 0..<m { colSums[j] += g.pointer[i * m + j] } }
            for j in 0..<m { for c in 0..<d { dy.pointer[j * d + c] += 2 * colSums[j] * y.pointer[j * d + c] } }
            result[1] = dy
        }
        return result
    }
}
