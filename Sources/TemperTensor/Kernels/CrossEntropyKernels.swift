import Foundation

/// Cross-entropy fused with log-softmax: the forward pass keeps only log Σ exp per row,
/// the backward pass rebuilds softmax from it (no [N, V] probability tensor is stored).
enum CrossEntropyKernels {
    /// Per-row loss lse − x[target] (0 for ignored rows); writes lse per row.
    static func forward(_ x: UnsafePointer<Float>, targets: [Int], ignoreIndex: Int, vocab n: Int,
                        lse: UnsafeMutablePointer<Float>, loss: UnsafeMutablePointer<Float>) {
        Parallel.rows(targets.count, rowCost: n * 16) { range in
            let exps = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(n, 1))
            defer { exps.deallocate() }
            for r in range {
                let target = targets[r]
                if target == ignoreIndex {
                    lse[r] = 0
                    loss[r] = 0
                    continue
                }
                let row = x + r * n
                let m = ReduceKernels.maxRow(row, n)
                for j in 0..<n { exps[j] = fastExp(row[j] - m) }
                lse[r] = m + Foundation.log(ReduceKernels.sumRow(exps, n))
                loss[r] = lse[r] - row[target]
            }
        }
    }

    /// dx[r, j] = coef[r]·(softmax[r, j] − [j = target]) (0 for ignored rows).
    static func backward(_ x: UnsafePointer<Float>, targets: [Int], ignoreIndex: Int, vocab n: Int,
                         lse: UnsafePointer<Float>, coef: (Int) -> Float, dx: UnsafeMutablePointer<Float>) {
        Parallel.rows(targets.count, rowCost: n * 16) { range in
            for r in range {
                let dr = dx + r * n
                let target = targets[r]
                if target == ignoreIndex {
                    dr.update(repeating: 0, count: n)
                    continue
                }
                let row = x + r * n, c = coef(r), l = lse[r]
                for j in 0..<n { dr[j] = c * fastExp(row[j] - l) }
                dr[target] -= c
            }
        }
    }
}
