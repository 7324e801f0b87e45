import Foundation

/// Row-wise (last axis) softmax and log-softmax, max-shifted for stability. A row whose
/// entries are all −∞ (fully masked) gives softmax zeros and log-softmax −∞.
enum SoftmaxKernels {
    /// Writes softmax (or log-softmax) of `n`-wide row `x` into `out`; returns log Σ exp.
    @inline(__always)
    static func row(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int, log: Bool) -> Float {
        let m = ReduceKernels.maxRow(x, n)
        if m == -.infinity {
            for j in 0..<n { out[j] = log ? -.infinity : 0 }
            return -.infinity
        }
        // Exponentials first (a vectorisable loop), then their sum with vector accumulators.
        for j in 0..<n { out[j] = fastExp(x[j] - m) }
        let sum = ReduceKernels.sumRow(out, n)
        let shift = m + Foundation.log(sum)
        if log {
            for j in 0..<n { out[j] = x[j] - shift }
        } else {
            let inv = 1 / sum
            for j in 0..<n { out[j] *= inv }
        }
        return shift
    }

    static func forward(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, rows: Int, n: Int, log: Bool) {
        Parallel.rows(rows, rowCost: n * 16) { range in
            for r in range { _ = row(x + r * n, out + r * n, n, log: log) }
        }
    }

    /// dx = y ⊙ (g − Σ g⊙y) for softmax, dx = g − eʸ Σ g for log-softmax.
    static func backward(y: UnsafePointer<Float>, g: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
                         rows: Int, n: Int, log: Bool) {
        Parallel.rows(rows, rowCost: n * (log ? 16 : 2)) { range in
            for r in range {
                let yr = y + r * n, gr = g + r * n, dr = dx + r * n
                if log {
                    let s = ReduceKernels.sumRow(gr, n)
                    for j in 0..<n { dr[j] = gr[j] - fastExp(yr[j]) * s }
                } else {
                    let s = ReduceKernels.dot(gr, yr, n)
                    for j in 0..<n { dr[j] = yr[j] * (gr[j] - s) }
                }
            }
        }
    }
}
