import TemperModels
import TemperTensor

/// Edges between consecutive node layers (METHODS.md §9 step 5): the integrated-gradient
/// attribution of each direction i of layer l+1 to each direction j of layer l, squared and
/// averaged over tokens,
///
///     E_ij = E_{b,s}[ (Σ_α w_α ∂(Σ_t f̂^{l+1}_{i,t}(α f)) / ∂f̂^l_{j,s} · f̂^l_{j,s})² ].
///
/// rib's "squared" edges (`linalg.calc_edge_squared`) square before summing over output
/// positions t, which needs one backward pass per (i, t); summing over t first needs one
/// per direction i, and `chunk` directions share one batched VJP (the batch is repeated,
/// each copy seeded with one direction). Both bases (interaction and PCA) go through this.
public struct EdgeSummary: Codable, Sendable, Equatable {
    public var from: String
    public var to: String
    /// Edge matrix [to][from].
    public var weights: [[Double]]
    /// Share of the total edge mass in the largest 1% of edges (at least one edge).
    public var top1PercentMass: Double
    /// Share of edges needed to hold 90% of the mass.
    public var edgesFor90PercentMass: Double

    enum CodingKeys: String, CodingKey {
        case from, to, weights, top1PercentMass = "top_1_percent_mass", edgesFor90PercentMass = "edges_for_90_percent_mass"
    }

    init(from: String, to: String, weights: [[Double]]) {
        self.from = from
        self.to = to
        self.weights = weights
        let all = weights.flatMap { $0 }.sorted(by: >)
        let total = all.reduce(0, +)
        let top = max(1, all.count / 100)
        top1PercentMass = total > 0 ? all.prefix(top).reduce(0, +) / total : 0
        var (running, needed) = (0.0, 0)
        for w in all where total > 0 && running < 0.9 * total { running += w; needed += 1 }
        edgesFor90PercentMass = all.isEmpty ? 0 : Double(needed) / Double(all.count)
    }
}

enum InteractionEdges {
    /// `cIn`/`cInPinv`: layer l's basis [w, r] / [r, w]; `cOut`: layer l+1's [w', r'].
    static func compute(_ runner: SectionRunner, batches: [DegeneracyBatch], from index: Int, to next: NodeLayer,
                        cIn: Matrix64, cInPinv: Matrix64, cOut: Matrix64, points: [(alpha: Double, weight: Double)],
                        chunk: Int) throws -> [[Double]] {
        let (rIn, rOut) = (cIn.cols, cOut.cols)
        let widthOut = runner.width(next)
        var edges = [[Double]](repeating: [Double](repeating: 0, count: rIn), count: rOut)
        var tokens = 0
        for batch in batches {
            let f = try runner.residual(index, batch)
            let (fPanel, rows) = try SectionRunner.panel(f, batch, bias: true, layer: .residual(index))
            let fHat = try Matrix64(rows: rows, cols: cIn.rows, values: fPanel).matmul(cIn)      // [n, rIn]
            for start in stride(from: 0, to: rOut, by: chunk) {
                let directions = Array(start..<min(rOut, start + chunk))
                let repeated = try repeatBatch(batch, times: directions.count)
                let seed = try seeds(batch, directions: directions, cOut: cOut, width: widthOut)
                var grads = [Double](repeating: 0, count: f.count * directions.count)
                for point in points {
                    let x = try repeatTensor(f, times: directions.count, scale: Float(point.alpha)).requiringGrad()
                    let out = try withGrad { try runner.run(from: index, input: x, to: next, repeated) }
                    let g = try gradients(of: out, wrt: [x], seed: seed)[0]
                    g.withUnsafeBufferPointer { p in for i in 0..<grads.count { grads[i] += point.weight * Double(p[i]) } }
                }
                for (c, i) in directions.enumerated() {
                    let slice = Array(grads[(c * f.count)..<((c + 1) * f.count)])
                    let (gPanel, _) = try SectionRunner.panel(try Tensor(shape: f.shape, values: slice.map(Float.init)), batch,
                                                              bias: true, layer: .residual(index), biasValue: 0)
                    // ∂/∂f̂ = (∂/∂f) C⁺ᵀ; attribution = that times f̂, per token.
                    let gHat = try Matrix64(rows: rows, cols: cIn.rows, values: gPanel).matmul(cInPinv, transposeOther: true)
                    for n in 0..<rows { for j in 0..<rIn {
                        let a = gHat[n, j] * fHat[n, j]
                        edges[i][j] += a * a
                    } }
                }
            }
            tokens += rows
        }
        return edges.map { $0.map { $0 / Double(max(1, tokens)) } }
    }

    /// Copy c of the batch is seeded with direction directions[c] at every real position.
    static func seeds(_ batch: DegeneracyBatch, directions: [Int], cOut: Matrix64, width: Int) throws -> Tensor {
        let positions = batch.mask.count
        var values = [Float](repeating: 0, count: directions.count * positions * width)
        for (c, i) in directions.enumerated() {
            let column = (0..<width).map { Float(cOut[$0, i]) }
            for pos in 0..<positions where batch.mask[pos] {
                let base = (c * positions + pos) * width
                for k in 0..<width { values[base + k] = column[k] }
            }
        }
        return try Tensor(shape: [directions.count * batch.tokens.batchSize, batch.length, width], values: values)
    }

    static func repeatBatch(_ batch: DegeneracyBatch, times: Int) throws -> DegeneracyBatch {
        let ids = [[Int]](repeating: batch.tokens.ids, count: times).flatMap { $0 }
        let mask = [[Bool]](repeating: batch.mask, count: times).flatMap { $0 }
        let tokens = try TokenBatch(ids: ids, batchSize: batch.tokens.batchSize * times, attentionMask: mask)
        return DegeneracyBatch(tokens: tokens, sequences: [[DegeneracySequence]](repeating: batch.sequences, count: times).flatMap { $0 }, mask: mask)
    }

    static func repeatTensor(_ t: Tensor, times: Int, scale: Float) throws -> Tensor {
        let values = t.toArray().map { $0 * scale }
        var shape = t.shape
        shape[0] *= times
        return try Tensor(shape: shape, values: [[Float]](repeating: values, count: times).flatMap { $0 })
    }
}
