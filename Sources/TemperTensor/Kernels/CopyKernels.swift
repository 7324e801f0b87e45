/// Data movement: permutations, slices, concatenation and row gathers/scatters.
enum CopyKernels {
    /// out = x permuted so out axis i is x axis perm[i].
    static func permute(_ x: Tensor, _ perm: [Int]) -> Tensor {
        let inStrides = Shape.strides(x.shape)
        let outShape = perm.map { x.shape[$0] }
        let out = Tensor.empty(outShape)
        // Collapse output dims that stay contiguous in the input.
        var dims: [Int] = [], strides: [Int] = []
        for axis in perm where x.shape[axis] != 1 {
            if let last = dims.last, strides.last! == inStrides[axis] * x.shape[axis] {
                dims[dims.count - 1] = last * x.shape[axis]
                strides[strides.count - 1] = inStrides[axis]
            } else {
                dims.append(x.shape[axis]); strides.append(inStrides[axis])
            }
        }
        if dims.isEmpty { dims = [1]; strides = [1] }
        let n = dims[dims.count - 1], innerStride = strides[strides.count - 1]
        let rows = out.count / Swift.max(n, 1)
        let src = UnsafePointer(x.pointer), dst = out.pointer
        guard out.count > 0 else { return out }
        Parallel.rows(rows, rowCost: n) { range in
            for row in range {
                var rem = row, offset = 0
                var d = dims.count - 2
                while d >= 0 {
                    offset += (rem % dims[d]) * strides[d]
                    rem /= dims[d]
                    d -= 1
                }
                let s = src + offset, o = dst + row * n
                if innerStride == 1 {
                    o.update(from: s, count: n)
                } else {
                    for j in 0..<n { o[j] = s[j * innerStride] }
                }
            }
        }
        return out
    }

    /// Copies x[o, start..<start+length, :] for every outer index.
    static func slice(_ x: Tensor, axis: Int, start: Int, length: Int) -> Tensor {
        let (outer, n, inner) = Shape.split(x.shape, axis: axis)
        var shape = x.shape
        shape[axis] = length
        let out = Tensor.empty(shape)
        for o in 0..<outer {
            (out.pointer + o * length * inner).update(from: x.pointer + (o * n + start) * inner, count: length * inner)
        }
        return out
    }

    /// Adjoint of `slice`: g placed at `start` along `axis` in zeros of `shape`.
    static func unslice(_ g: Tensor, shape: [Int], axis: Int, start: Int) -> Tensor {
        let (outer, n, inner) = Shape.split(shape, axis: axis)
        let length = g.shape[axis]
        let out = Tensor(storage: TensorStorage(repeating: 0, count: Shape.count(shape)), shape: shape)
        for o in 0..<outer {
            (out.pointer + (o * n + start) * inner).update(from: g.pointer + o * length * inner, count: length * inner)
        }
        return out
    }

    /// Concatenation along `axis` of tensors that agree on every other dim.
    static func concat(_ parts: [Tensor], axis: Int, shape: [Int]) -> Tensor {
        let out = Tensor.empty(shape)
        let (outer, total, inner) = Shape.split(shape, axis: axis)
        var offset = 0
        for part in parts {
            let n = part.shape[axis]
            for o in 0..<outer {
                (out.pointer + (o * total + offset) * inner).update(from: part.pointer + o * n * inner, count: n * inner)
            }
            offset += n
        }
        return out
    }

    /// out[o, j, :] = x[o, indices[j], :] (indices validated by the caller).
    static func gather(_ x: Tensor, axis: Int, indices: [Int]) -> Tensor {
        let (outer, n, inner) = Shape.split(x.shape, axis: axis)
        var shape = x.shape
        shape[axis] = indices.count
        let out = Tensor.empty(shape)
        for o in 0..<outer {
            for (j, index) in indices.enumerated() {
                (out.pointer + (o * indices.count + j) * inner).update(from: x.pointer + (o * n + index) * inner, count: inner)
            }
        }
        return out
    }

    /// Adjoint of `gather`: out[o, indices[j], :] += g[o, j, :] in zeros of `shape`.
    static func scatterAdd(_ g: Tensor, shape: [Int], axis: Int, indices: [Int]) -> Tensor {
        let (outer, n, inner) = Shape.split(shape, axis: axis)
        let out = Tensor(storage: TensorStorage(repeating: 0, count: Shape.count(shape)), shape: shape)
        for o in 0..<outer {
            for (j, index) in indices.enumerated() {
                let dst = out.pointer + (o * n + index) * inner
                let src = g.pointer + (o * indices.count + j) * inner
                for c in 0..<inner { dst[c] += src[c] }
            }
        }
        return out
    }
}
