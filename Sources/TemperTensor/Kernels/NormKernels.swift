/// RMSNorm and LayerNorm over the last axis, forward and backward, parallel over rows
/// (weight gradients parallel over columns so no two threads write the same element).
enum NormKernels {
    /// y = x · rstd · w with rstd = 1/√(mean(x²) + eps); writes rstd per row.
    static func rmsForward(x: UnsafePointer<Float>, w: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
                           rstd: UnsafeMutablePointer<Float>, rows: Int, n: Int, eps: Float) {
        Parallel.rows(rows, rowCost: n * 3) { range in
            for r in range {
                let xr = x + r * n, yr = y + r * n
                let inv = 1 / (ReduceKernels.dot(xr, xr, n) / Float(n) + eps).squareRoot()
                rstd[r] = inv
                for j in 0..<n { yr[j] = (xr[j] * inv) * w[j] }
            }
        }
    }

    /// dx = rstd·(g⊙w) − x·rstd³·mean(g⊙w⊙x); dw = Σ_rows g⊙x·rstd.
    static func rmsBackward(x: UnsafePointer<Float>, w: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
                            g: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>?,
                            rows: Int, n: Int) {
        if let dx {
            Parallel.rows(rows, rowCost: n * 4) { range in
                for r in range {
                    let xr = x + r * n, gr = g + r * n, dr = dx + r * n
                    let inv = rstd[r]
                    var dotGWX: Float = 0
                    for j in 0..<n { dotGWX += gr[j] * w[j] * xr[j] }
                    let coef = inv * inv * inv * dotGWX / Float(n)
                    for j in 0..<n { dr[j] = inv * gr[j] * w[j] - xr[j] * coef }
                }
            }
        }
        if let dw {
            columns(n, rows: rows) { cols in
                for j in cols { dw[j] = 0 }
                for r in 0..<rows {
                    let xr = x + r * n, gr = g + r * n, inv = rstd[r]
                    for j in cols { dw[j] += gr[j] * xr[j] * inv }
                }
            }
        }
    }

    /// y = (x − mean)·rstd·w + b; writes mean and rstd per row. w/b may be absent.
    static func layerForward(x: UnsafePointer<Float>, w: UnsafePointer<Float>?, b: UnsafePointer<Float>?,
                             y: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>,
                             rstd: UnsafeMutablePointer<Float>, rows: Int, n: Int, eps: Float) {
        Parallel.rows(rows, rowCost: n * 4) { range in
            for r in range {
                let xr = x + r * n, yr = y + r * n
                let mu = ReduceKernels.sumRow(xr, n) / Float(n)
                var variance: Float = 0
                for j in 0..<n { variance += (xr[j] - mu) * (xr[j] - mu) }
                let inv = 1 / (variance / Float(n) + eps).squareRoot()
                mean[r] = mu
                rstd[r] = inv
                for j in 0..<n {
                    var v = (xr[j] - mu) * inv
                    if let w { v *= w[j] }
                    if let b { v += b[j] }
                    yr[j] = v
                }
            }
        }
    }

    /// dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ⊙x̂)) with ĝ = g⊙w; dw = Σ g⊙x̂; db = Σ g.
    static func layerBackward(x: UnsafePointer<Float>, w: UnsafePointer<Float>?, mean: UnsafePointer<Float>,
                              rstd: UnsafePointer<Float>, g: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?,
                              dw: UnsafeMutablePointer<Float>?, db: UnsafeMutablePointer<Float>?, rows: Int, n: Int) {
        if let dx {
            Parallel.rows(rows, rowCost: n * 6) { range in
                for r in range {
                    let xr = x + r * n, gr = g + r * n, dr = dx + r * n
                    let mu = mean[r], inv = rstd[r]
                    var sumG: Float = 0, sumGX: Float = 0
                    for j in 0..<n {
                        let gj = w.map { gr[j] * $0[j] } ?? gr[j]
                        sumG += gj
                        sumGX += gj * (xr[j] - mu) * inv
                    }
                    let meanG = sumG / Float(n), meanGX = sumGX / Float(n)
                    for j in 0..<n {
                        let gj = w.map { gr[j] * $0[j] } ?? gr[j]
                        dr[j] = inv * (gj - meanG - (xr[j] - mu) * inv * meanGX)
                    }
                }
            }
        }
        if dw != nil || db != nil {
            columns(n, rows: rows) { cols in
                for j in cols { dw?[j] = 0; db?[j] = 0 }
                for r in 0..<rows {
                    let xr = x + r * n, gr = g + r * n, mu = mean[r], inv = rstd[r]
                    if let dw { for j in cols { dw[j] += gr[j] * (xr[j] - mu) * inv } }
                    if let db { for j in cols { db[j] += gr[j] } }
                }
            }
        }
    }

    /// Splits `n` columns into per-core ranges when `rows × n` is large.
    @inline(__always)
    static func columns(_ n: Int, rows: Int, _ body: (Range<Int>) -> Void) {
        let pieces = Swift.min(Parallel.cores, n / 16)
        Parallel.rows(Swift.max(pieces, 1), rowCost: rows * n / Swift.max(pieces, 1)) { range in
            for piece in range {
                let step = (n + Swift.max(pieces, 1) - 1) / Swift.max(pieces, 1)
                let start = piece * step
                body(start..<Swift.min(n, start + step))
            }
        }
    }
}
