import TemperModels
import TemperTensor

/// One batch of an edge computation (InteractionEdges): the input activations in layer l's
/// basis, and batched VJPs through the section to layer l+1 that give, per copy of the batch,
/// J_{b,j} = Σ_α w Σ_p (∂seed·f̂'/∂(αf̂))_{b,p,j} · f̂_{b,p,j} for every batch row b.
struct EdgePass {
    let runner: SectionRunner
    let batch: DegeneracyBatch
    let index: Int
    let next: NodeLayer
    let cInPinv: Matrix64
    let cTilde: Matrix64
    let points: [(alpha: Double, weight: Double)]
    /// The residual at point `index` [batch, length, hidden], its real positions replaced by f̂ C⁺.
    let f: Tensor
    /// f̂ = [f, 1] C at the real positions [rows, rIn], and the batch row of each.
    let fHat: Matrix64
    let rowOf: [Int]
    var rows: Int { rowOf.count }
    /// The section's output at α = 1, for the functional formula.
    let outputAtOne: [Float]

    init(runner: SectionRunner, batch: DegeneracyBatch, index: Int, next: NodeLayer, cIn: Matrix64, cInPinv: Matrix64,
         cTilde: Matrix64, points: [(alpha: Double, weight: Double)]) throws {
        (self.runner, self.batch, self.index, self.next, self.cInPinv, self.cTilde, self.points) = (runner, batch, index, next, cInPinv, cTilde, points)
        let residual = try runner.residual(index, batch)
        let (panel, rows) = try SectionRunner.panel(residual, batch, bias: true, layer: .residual(index))
        fHat = try Matrix64(rows: rows, cols: cIn.rows, values: panel).matmul(cIn)
        let realPositions = batch.mask.indices.filter { batch.mask[$0] }
        rowOf = realPositions.map { $0 / batch.length }
        // The section runs on f̂ C⁺ (rib's module_hat), i.e. f projected onto the kept directions.
        let projected = try fHat.matmul(cInPinv)
        var values = residual.toArray()
        let hidden = residual.shape[residual.rank - 1]
        for (n, position) in realPositions.enumerated() { for k in 0..<hidden { values[position * hidden + k] = Float(projected[n, k]) } }
        f = try Tensor(shape: residual.shape, values: values)
        let (f, index, next) = (f, index, next)
        outputAtOne = try noGrad { try runner.run(from: index, input: f, to: next, batch) }.toArray()
    }

    /// Per copy, J flattened [batch rows × rIn].
    func rowSums(_ copies: [EdgeCopies.Copy]) throws -> [[Double]] {
        let repeated = try InteractionEdges.repeatBatch(batch, times: copies.count)
        var grads = [Double](repeating: 0, count: f.count * copies.count)
        var seedScales: [Double] = []
        for point in points {
            let x = try InteractionEdges.repeatTensor(f, times: copies.count, scale: Float(point.alpha)).requiringGrad()
            let out = try withGrad { try runner.run(from: index, input: x, to: next, repeated) }
            let seed = try seedValues(copies, output: out.toArray())
            seedScales.append(seed.scale)
            let g = try gradients(of: out, wrt: [x], seed: try seed.tensor(shape: out.shape))[0]
            // Scales differ between points only for the functional seed; keep f64 units throughout.
            let weight = point.weight * seed.scale / seedScales[0]
            g.withUnsafeBufferPointer { p in for i in 0..<grads.count { grads[i] += weight * Double(p[i]) } }
        }
        let unit = seedScales.first ?? 1
        let (rIn, batchRows) = (fHat.cols, batch.tokens.batchSize)
        return try copies.indices.map { c in
            let slice = grads[(c * f.count)..<((c + 1) * f.count)].map(Float.init)
            let (gPanel, rows) = try SectionRunner.panel(try Tensor(shape: f.shape, values: slice), batch,
                                                          bias: true, layer: .residual(index), biasValue: 0)
            // ∂/∂f̂ = (∂/∂f) C⁺ᵀ; attribution = that times f̂, summed over the row's positions.
            let gHat = try Matrix64(rows: rows, cols: cInPinv.cols, values: gPanel).matmul(cInPinv, transposeOther: true)
            var sums = [Double](repeating: 0, count: batchRows * rIn)
            for n in 0..<rows {
                let base = rowOf[n] * rIn
                for j in 0..<rIn { sums[base + j] += unit * gHat[n, j] * fHat[n, j] }
            }
            return sums
        }
    }

    /// The seed of each copy in the section output's coordinates [copies·batch, length, width],
    /// scaled into float32's range.
    func seedValues(_ copies: [EdgeCopies.Copy], output: [Float]) throws -> SeedScale {
        let width = cTilde.rows, positions = batch.mask.count
        var values = [Double](repeating: 0, count: copies.count * positions * width)
        for (c, copy) in copies.enumerated() {
            let column = (0..<width).map { cTilde[$0, copy.direction] }
            for pos in 0..<positions where batch.mask[pos] {
                let base = (c * positions + pos) * width
                let scale: Double
                if let position = copy.position {
                    guard pos % batch.length == position else { continue }
                    scale = 1
                } else if let phi = copy.phi {
                    scale = Double(phi[pos])
                } else {
                    // Functional: ∂/∂out of (f̂'_i(f) − f̂'_i(αf))² = −2 (f̂'_i(f) − f̂'_i(αf)) C̃[:, i].
                    var difference = 0.0
                    let one = pos * width
                    for k in 0..<width { difference += Double(outputAtOne[one + k] - output[base + k]) * column[k] }
                    scale = -2 * difference
                }
                for k in 0..<width { values[base + k] = scale * column[k] }
            }
        }
        return try SeedScale(values, layer: .residual(index))
    }
}
