/// Sums and maxima along axes. Adjacent reduced axes are merged so each pass is one
/// (outer, n, inner) reduction; rows are summed with 8-wide vector accumulators.
enum ReduceKernels {
    /// Sum of `n` contiguous floats (SIMD partial sums, blocks combined in Double).
    @inline(__always)
    static func sumRow(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        var total: Double = 0
        var start = 0
        while start < n {
            let end = Swift.min(n, start + 4096)
            var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
            var i = start
            let raw = UnsafeRawPointer(p)
            while i + 16 <= end {
                acc0 += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                acc1 += raw.loadUnaligned(fromByteOffset: (i + 8) * 4, as: SIMD8<Float>.self)
                i += 16
            }
            var tail: Float = 0
            while i < end { tail += p[i]; i += 1 }
            total += Double((acc0 + acc1).sum() + tail)
            start = end
        }
        return Float(total)
    }

    /// Largest of `n` contiguous floats (−∞ for n = 0; NaN if any is NaN).
    @inline(__always)
    static func maxRow(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        var best = SIMD8<Float>(repeating: -.infinity)
        var sawNaN = false
        let raw = UnsafeRawPointer(p)
        var i = 0
        while i + 8 <= n {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            sawNaN = sawNaN || any(v .!= v)
            best.replace(with: v, where: v .> best)
            i += 8
        }
        var m = best[0]
        for lane in 1..<8 where best[lane] > m { m = best[lane] }
        while i < n {
            sawNaN = sawNaN || p[i].isNaN
            if p[i] > m { m = p[i] }
            i += 1
        }
        return sawNaN ? .nan : m
    }

    /// Dot product of two contiguous rows (vector accumulators).
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        var i = 0
        while i + 16 <= n {
            acc0 += ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                * rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            acc1 += ra.loadUnaligned(fromByteOffset: (i + 8) * 4, as: SIMD8<Float>.self)
                * rb.loadUnaligned(fromByteOffset: (i + 8) * 4, as: SIMD8<Float>.self)
            i += 16
        }
        var tail: Float = 0
        while i < n { tail += a[i] * b[i]; i += 1 }
        return (acc0 + acc1).sum() + tail
    }

    /// Sum over the given (validated, distinct) axes; the result keeps them as size 1.
    static func sum(_ x: Tensor, axes: [Int]) -> Tensor {
        var shape = x.shape
        var current = x
        // Runs of adjacent axes, reduced from the innermost run outwards.
        let sorted = axes.sorted()
        var runs: [(Int, Int)] = []
        for axis in sorted {
            if let last = runs.last, last.1 == axis - 1 { runs[runs.count - 1].1 = axis } else { runs.append((axis, axis)) }
        }
        for (first, last) in runs.reversed() {
            let outer = shape[..<first].reduce(1, *)
            let n = shape[first...last].reduce(1, *)
            let inner = shape[(last + 1)...].reduce(1, *)
            for axis in first...last { shape[axis] = 1 }
            let out = Tensor.empty(shape)
            sumAxis(current.pointer, out.pointer, outer: outer, n: n, inner: inner)
            current = out
        }
        return current
    }

    /// out[o, i] = Σₖ x[o, k, i].
    static func sumAxis(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, outer: Int, n: Int, inner: Int) {
        if inner == 1 {
            Parallel.rows(outer, rowCost: n) { rows in
                for o in rows { out[o] = sumRow(x + o * n, n) }
            }
            return
        }
        let columnsPerChunk = outer >= Parallel.cores ? inner : Swift.max(64, (inner + Parallel.cores - 1) / Parallel.cores)
        let columnChunks = (inner + columnsPerChunk - 1) / columnsPerChunk
        Parallel.rows(outer * columnChunks, rowCost: n * columnsPerChunk) { tasks in
            for task in tasks {
                let o = task / columnChunks
                let c0 = (task % columnChunks) * columnsPerChunk
                let c1 = Swift.min(inner, c0 + columnsPerChunk)
                let dst = out + o * inner
                for c in c0..<c1 { dst[c] = 0 }
                for k in 0..<n {
                    let src = x + (o * n + k) * inner
                    for c in c0..<c1 { dst[c] += src[c] }
                }
            }
        }
    }

    /// Maximum along an axis (outer, n, inner) with the winning index; NaN wins.
    static func max(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ indices: UnsafeMutablePointer<Int32>,
                    outer: Int, n: Int, inner: Int) {
        for o in 0..<outer {
            for i in 0..<inner {
                var best = x[o * n * inner + i]
                var bestIndex: Int32 = 0
                if !best.isNaN {
                    for k in 1..<Swift.max(n, 1) {
                        let v = x[(o * n + k) * inner + i]
                        if v > best || v.isNaN {
                            best = v
                            bestIndex = Int32(k)
                            if v.isNaN { break }
                        }
                    }
                }
                out[o * inner + i] = best
                indices[o * inner + i] = bestIndex
            }
        }
    }
}
