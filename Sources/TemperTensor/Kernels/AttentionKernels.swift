import CTemperKernels

/// Sizes of one attention call (see `scaledDotProductAttention`).
struct AttentionGeometry {
    let b: Int, t: Int, s: Int, hq: Int, hkv: Int, d: Int, dv: Int
    init(q: [Int], k: [Int], v: [Int]) {
        (b, t, hq, d) = (q[0], q[1], q[2], q[3])
        (s, hkv, dv) = (k[1], k[2], v[3])
    }
    var group: Int { hq / hkv }
    // Offsets of head rows in the [B, seq, H, D] layouts.
    func q(_ bi: Int, _ h: Int) -> Int { bi * t * hq * d + h * d }
    func k(_ bi: Int, _ h: Int) -> Int { bi * s * hkv * d + h * d }
    func v(_ bi: Int, _ h: Int) -> Int { bi * s * hkv * dv + h * dv }
    func o(_ bi: Int, _ h: Int) -> Int { bi * t * hq * dv + h * dv }
    func p(_ bi: Int, _ h: Int) -> Int { (bi * hq + h) * t * s }
}

enum AttentionKernels {
    static func forward(_ g: AttentionGeometry, _ config: AttentionConfig, q: UnsafePointer<Float>, k: UnsafePointer<Float>,
                        v: UnsafePointer<Float>, probs: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>) {
        if g.t == 1, g.s > 0, g.d > 0, g.dv > 0 {
            decodeForward(g, config, q: q, k: k, v: v, probs: probs, out: out)
            return
        }
        Parallel.rows(g.b * g.hq, rowCost: g.t * g.s * (g.d + g.dv) / 32) { heads in
            for head in heads {
                let (bi, h) = (head / g.hq, head % g.hq)
                let kh = h / g.group
                let p = probs + g.p(bi, h)
                BLAS.serial(transA: false, transB: true, m: g.t, n: g.s, k: g.d, alpha: config.scale,
                          a: q + g.q(bi, h), lda: g.hq * g.d, b: k + g.k(bi, kh), ldb: g.hkv * g.d,
                          beta: 0, c: p, ldc: max(g.s, 1))
                maskAndSoftmax(p, g, config, batch: bi)
                BLAS.serial(transA: false, transB: false, m: g.t, n: g.dv, k: g.s, alpha: 1,
                          a: p, lda: max(g.s, 1), b: v + g.v(bi, kh), ldb: g.hkv * g.dv,
                          beta: 0, c: out + g.o(bi, h), ldc: g.hq * g.dv)
            }
        }
    }

    /// One query position (decoding over a KV cache): per (batch, kv head), the scores of its
    /// group of query heads are matrix-vector products over the key rows (each key row read
    /// once for the group), then the softmax, then each head's weighted sum of the value rows.
    /// Same values as the sgemm path up to summation order.
    static func decodeForward(_ g: AttentionGeometry, _ config: AttentionConfig, q: UnsafePointer<Float>, k: UnsafePointer<Float>,
                              v: UnsafePointer<Float>, probs: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>) {
        Parallel.rows(g.b * g.hkv, rowCost: g.group * g.s * (g.d + g.dv) / 8) { tasks in
            for task in tasks {
                let (bi, kh) = (task / g.hkv, task % g.hkv)
                let first = kh * g.group
                // With one query position the group's probability rows are consecutive, S apart.
                let p = probs + g.p(bi, first)
                temper_f32_gemv(k + g.k(bi, kh), g.s, g.d, g.hkv * g.d, q + g.q(bi, first), g.group, g.d, p, g.s, 0, 1)
                for i in 0..<(g.group * g.s) { p[i] *= config.scale }
                for member in 0..<g.group {
                    let h = first + member
                    maskAndSoftmax(probs + g.p(bi, h), g, config, batch: bi)
                    temper_f32_weighted_rows(probs + g.p(bi, h), g.s, v + g.v(bi, kh), g.hkv * g.dv, g.dv, out + g.o(bi, h), 1)
                }
            }
        }
    }

    /// Masks one head's T×S scores in place and turns each row into probabilities.
    static func maskAndSoftmax(_ p: UnsafeMutablePointer<Float>, _ g: AttentionGeometry, _ config: AttentionConfig, batch: Int) {
        for row in 0..<g.t {
            let r = p + row * g.s
            // Under the causal mask only keys 0...last take part: the softmax runs over them
            // and the masked rest is 0 (as exp(−∞) would give), half the exponentials of a prefill.
            let visible = config.causal ? Swift.min(Swift.max(row + g.s - g.t + 1, 0), g.s) : g.s
            if let mask = config.keyMask {
                for j in 0..<visible where !mask[batch * g.s + j] { r[j] = -.infinity }
            }
            _ = SoftmaxKernels.row(r, r, visible, log: false)
            for j in visible..<g.s { r[j] = 0 }
        }
    }

    /// Gradients for q, k, v given dO, the saved probabilities P and output O.
    static func backward(_ g: AttentionGeometry, _ config: AttentionConfig, q: UnsafePointer<Float>, k: UnsafePointer<Float>,
                         v: UnsafePointer<Float>, probs: UnsafePointer<Float>, out: UnsafePointer<Float>,
                         dOut: UnsafePointer<Float>, dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>,
                         dv: UnsafeMutablePointer<Float>) {
        // One task per (batch, kv head): it owns that head's dK/dV rows and its group's dQ.
        Parallel.rows(g.b * g.hkv, rowCost: g.group * g.t * g.s * (2 * g.d + 2 * g.dv) / 32) { tasks in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(g.t * g.s, 1))
            defer { scratch.deallocate() }
            for task in tasks {
                let (bi, kh) = (task / g.hkv, task % g.hkv)
                for member in 0..<g.group {
                    let h = kh * g.group + member
                    let beta: Float = member == 0 ? 0 : 1
                    let p = probs + g.p(bi, h), dO = dOut + g.o(bi, h), o = out + g.o(bi, h)
                    // dV += Pᵀ·dO
                    BLAS.serial(transA: true, transB: false, m: g.s, n: g.dv, k: g.t, alpha: 1,
                              a: p, lda: max(g.s, 1), b: dO, ldb: g.hq * g.dv, beta: beta, c: dv + g.v(bi, kh), ldc: g.hkv * g.dv)
                    // dP = dO·Vᵀ, then dS = P ⊙ (dP − rowdot(dO, O))
                    BLAS.serial(transA: false, transB: true, m: g.t, n: g.s, k: g.dv, alpha: 1,
                              a: dO, lda: g.hq * g.dv, b: v + g.v(bi, kh), ldb: g.hkv * g.dv, beta: 0, c: scratch, ldc: max(g.s, 1))
                    for row in 0..<g.t {
                        let delta = ReduceKernels.dot(dO + row * g.hq * g.dv, o + row * g.hq * g.dv, g.dv)
                        let ds = scratch + row * g.s, pr = p + row * g.s
                        for j in 0..<g.s { ds[j] = pr[j] * (ds[j] - delta) }
                    }
                    // dQ = scale·dS·K, dK += scale·dSᵀ·Q
                    BLAS.serial(transA: false, transB: false, m: g.t, n: g.d, k: g.s, alpha: config.scale,
                              a: scratch, lda: max(g.s, 1), b: k + g.k(bi, kh), ldb: g.hkv * g.d, beta: 0, c: dq + g.q(bi, h), ldc: g.hq * g.d)
                    BLAS.serial(transA: true, transB: false, m: g.s, n: g.d, k: g.t, alpha: config.scale,
                              a: scratch, lda: max(g.s, 1), b: q + g.q(bi, h), ldb: g.hq * g.d, beta: beta, c: dk + g.k(bi, kh), ldc: g.hkv * g.d)
                }
            }
        }
    }
}
