import TemperModels
import TemperTensor
import TemperText

/// M' of one node layer in rib's "jacobian" basis formula (the LIB paper's, arXiv 2405.10928;
/// rib `linalg.calc_basis_jacobian` with `hook_fns.M_dash_and_Lambda_dash_pre_forward_hook_fn`):
///
///     g_φ(x)_s = Σ_α w_α ∂(Σ_t φ_t · f̂_{l+1}(αf)_t)/∂(αf)_s,    f̂ = [f_{l+1}, 1] C_{l+1}
///     M' = Σ_φ Σ_{b,s} g_φ g_φᵀ / (tokens · |sources|)
///
/// where φ runs over every one-hot (output position t, output direction i) — the exact
/// Jacobian, Σ_{t,i} J_{t,i}ᵀ J_{t,i} — or, with `sources`, over that many ±1 vectors drawn
/// over all positions and directions at once (rib's `n_stochastic_sources_pos` and
/// `_hidden` together): E[φφᵀ] = I, so the estimate is unbiased. Λ is then the spectrum of M
/// (`InteractionBasis.interaction` with no Λ'). Each φ is one copy of the batch in a batched
/// VJP (`chunk` copies per pass), as the edges are computed.
enum JacobianGradients {
    static func collect(_ runner: SectionRunner, batches: [DegeneracyBatch], from index: Int, to next: NodeLayer,
                        cNext: Matrix64?, points: [(alpha: Double, weight: Double)], sources: Int?, seed: UInt64,
                        chunk: Int) throws -> Matrix64 {
        let layer = NodeLayer.residual(index)
        let width = runner.model.hiddenSize + 1
        let widthOut = runner.width(next)
        // Output directions: the columns of C (without its constant-coordinate row), or the raw outputs.
        let directions = cNext?.cols ?? widthOut
        var mDash = try Matrix64.zeros(width, width)
        var generator = Xoshiro256StarStar(seed: seed, stream: UInt64(index))
        var tokens = 0
        for batch in batches {
            let f = try runner.residual(index, batch)
            let positions = batch.mask.indices.filter { batch.mask[$0] }
            let count = sources ?? positions.count * directions
            for start in stride(from: 0, to: count, by: chunk) {
                let copies = min(chunk, count - start)
                // φ for each copy, in f̂ coordinates [copies, positions, directions].
                var phi = [Float](repeating: 0, count: copies * batch.mask.count * directions)
                for c in 0..<copies {
                    let base = c * batch.mask.count * directions
                    if sources != nil {
                        for pos in positions { for i in 0..<directions {
                            phi[base + pos * directions + i] = generator.next() & 1 == 0 ? 1 : -1
                        } }
                    } else {
                        let k = start + c
                        phi[base + positions[k / directions] * directions + k % directions] = 1
                    }
                }
                let seed = try outputSeed(phi, copies: copies, batch: batch, directions: directions, cNext: cNext, width: widthOut, layer: layer)
                let seedTensor = try seed.tensor(shape: [copies * batch.tokens.batchSize, batch.length, widthOut])
                let repeated = try InteractionEdges.repeatBatch(batch, times: copies)
                var grads = [Double](repeating: 0, count: f.count * copies)
                for point in points {
                    let x = try InteractionEdges.repeatTensor(f, times: copies, scale: Float(point.alpha)).requiringGrad()
                    let out = try withGrad { try runner.run(from: index, input: x, to: next, repeated) }
                    let g = try gradients(of: out, wrt: [x], seed: seedTensor)[0]
                    g.withUnsafeBufferPointer { p in for i in 0..<grads.count { grads[i] += point.weight * Double(p[i]) } }
                }
                for c in 0..<copies {
                    let slice = grads[(c * f.count)..<((c + 1) * f.count)].map(Float.init)
                    let (gPanel, rows) = try SectionRunner.panel(try Tensor(shape: f.shape, values: slice), batch,
                                                                 bias: true, layer: layer, biasValue: 0)
                    try mDash.addProduct(transposing: gPanel, gPanel, count: rows, scale: seed.scale * seed.scale)
                }
            }
            tokens += positions.count
        }
        // Exact: the sum over every (t, i); stochastic: the mean over the sources.
        return mDash.scaled(1 / Double(max(1, tokens) * max(1, sources ?? 1)))
    }

    /// φ C̃ᵀ per copy: the seed in the section output's own coordinates, C̃ = C without its
    /// constant-coordinate row (the constant has no derivative), scaled into float32's range.
    static func outputSeed(_ phi: [Float], copies: Int, batch: DegeneracyBatch, directions: Int, cNext: Matrix64?,
                           width: Int, layer: NodeLayer) throws -> SeedScale {
        let rows = copies * batch.mask.count
        guard let c = cNext else { return try SeedScale(phi.map(Double.init), layer: layer) }
        let phiMatrix = try Matrix64(rows: rows, cols: directions, values: phi.map(Double.init))
        let cTilde = try c.rows(Array(0..<width))
        return try SeedScale(try phiMatrix.matmul(cTilde, transposeOther: true).values, layer: layer)
    }
}
