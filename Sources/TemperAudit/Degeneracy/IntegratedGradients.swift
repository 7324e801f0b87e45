import TemperModels
import TemperTensor

/// M' and Λ' of one node layer (rib `data_accumulator.collect_M_dash_and_Lambda_dash` with
/// `hook_fns.M_dash_and_Lambda_dash_pre_forward_hook_fn` and
/// `linalg.calc_basis_integrated_gradient`, basis formula "(1-0)*alpha"):
///
///     g(x) = Σ_α w_α ∂/∂(αf) [ Σ_t f̂_{l+1}(αf)_t · f̂_{l+1}(f)_t ],   f̂ = [f_{l+1}, 1] C_{l+1}
///     M'  = E[g gᵀ],   Λ' = E[g fᵀ]     (over every real token, f64)
///
/// The derivative of the scalar is one vector–Jacobian product per integration point with
/// the seed C C^T f̂(f) at every output position: the whole section's backward pass at BLAS
/// speed, no loop over output directions. The constant-1 coordinate is not scaled along the
/// path (the section's biases stay as they are), so its gradient is 0; Llama-family blocks
/// have no biases and this is exactly rib's folded-bias computation there.
enum IntegratedGradients {
    struct Result {
        var mDash: Matrix64
        var lambdaDash: Matrix64
    }

    /// `cNext`: the next node layer's basis [width' (+1), r'] (nil: the unrotated output).
    static func collect(_ runner: SectionRunner, batches: [DegeneracyBatch], from index: Int, to next: NodeLayer,
                        cNext: Matrix64?, points: [(alpha: Double, weight: Double)]) throws -> Result {
        let layer = NodeLayer.residual(index)
        let width = runner.model.hiddenSize + 1
        var result = Result(mDash: try .zeros(width, width), lambdaDash: try .zeros(width, width))
        var tokens = 0
        for batch in batches {
            let f = try runner.residual(index, batch)
            let outAtOne = try noGrad { try runner.run(from: index, input: f, to: next, batch) }
            let seed = try Self.seed(outAtOne, batch, cNext: cNext, next: next, layer: layer)
            let seedTensor = try seed.tensor(shape: outAtOne.shape)
            var inGrads = [Double](repeating: 0, count: f.count)
            for point in points {
                let x = try noGrad { try f * Tensor(scalar: Float(point.alpha)) }.requiringGrad()
                let out = try withGrad { try runner.run(from: index, input: x, to: next, batch) }
                let g = try gradients(of: out, wrt: [x], seed: seedTensor)[0]
                g.withUnsafeBufferPointer { p in for i in 0..<inGrads.count { inGrads[i] += point.weight * Double(p[i]) } }
            }
            let gradTensor = try Tensor(shape: f.shape, values: inGrads.map(Float.init))
            let (gPanel, rows) = try SectionRunner.panel(gradTensor, batch, bias: true, layer: layer, biasValue: 0)
            let (fPanel, _) = try SectionRunner.panel(f, batch, bias: true, layer: layer)
            // The gradients came from the seed divided by seed.scale.
            try result.mDash.addProduct(transposing: gPanel, gPanel, count: rows, scale: seed.scale * seed.scale)
            try result.lambdaDash.addProduct(transposing: gPanel, fPanel, count: rows, scale: seed.scale)
            tokens += rows
        }
        let scale = 1 / Double(max(1, tokens))
        result.mDash = result.mDash.scaled(scale)
        result.lambdaDash = result.lambdaDash.scaled(scale)
        return result
    }

    /// ∂(f̂(αf) · f̂(f))/∂f_{l+1}(αf) = (f̂(f) C^T) without the constant coordinate, zero at
    /// padding, formed in f64 and scaled into float32's range.
    static func seed(_ out: Tensor, _ batch: DegeneracyBatch, cNext: Matrix64?, next: NodeLayer, layer: NodeLayer) throws -> SeedScale {
        let width = out.shape[out.rank - 1]
        let bias = ActivationStatistics.hasBias(next)
        guard let c = cNext else {
            let masked = out.toArray().enumerated().map { batch.mask[$0.offset / width] ? Double($0.element) : 0 }
            return try SeedScale(masked, layer: layer)
        }
        // Every position (padding included, zeroed after), augmented like the basis rows.
        let positions = batch.mask.count, stride = width + (bias ? 1 : 0)
        var aug = [Double](repeating: bias ? 1 : 0, count: positions * stride)
        out.withUnsafeBufferPointer { p in
            for pos in 0..<positions { for k in 0..<width { aug[pos * stride + k] = Double(p[pos * width + k]) } }
        }
        let a = try Matrix64(rows: positions, cols: stride, values: aug)
        let s = try a.matmul(c).matmul(c, transposeOther: true)
        var values = [Double](repeating: 0, count: positions * width)
        for pos in 0..<positions where batch.mask[pos] {
            for k in 0..<width { values[pos * width + k] = s[pos, k] }
        }
        return try SeedScale(values, layer: layer)
    }
}
