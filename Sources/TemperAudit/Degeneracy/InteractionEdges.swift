import TemperModels
import TemperTensor
import TemperText

/// Edges between consecutive node layers (METHODS.md §9 step 5), as rib computes them
/// (`linalg.calc_edge_functional`, `calc_edge_squared`, `calc_edge_stochastic`). With
/// f̂ = f C (layer l, bias folded in) and f̂' = [g(f), 1] C' (layer l+1, g the section), and
/// the trapezoidal points (α, w):
///
/// - functional (rib's default): E_ij = −Σ_α w Σ_{b,p} ∂S_i(α)/∂(αf̂)_{b,p,j} · f̂_{b,p,j} / N,
///   S_i(α) = Σ_{b,t} (f̂'_i(f) − f̂'_i(αf))²_{b,t}: one VJP per output direction i (signed);
/// - squared: E_ij = Σ_{b,t} J_{b,t,i,j}² / N, J_{b,t,i,j} = Σ_α w Σ_p ∂f̂'_{b,t,i}/∂(αf̂)_{b,p,j} · f̂_{b,p,j}:
///   one VJP per (output direction, output position);
/// - squared with sources R: J_{b,r,i,j} seeded by Σ_t φ_{b,r,t} f̂'_{b,t,i}, E_ij = Σ_{b,r} J² / (N R);
///   φ = ±1 (rib draws N(0, 1); both have E[φφᵀ] = I, so the estimate of the squared
///   edges is unbiased either way, and ±1 has the smaller variance).
///
/// N is the number of real tokens. The constant coordinate is not scaled by α (Llama and GPT-2
/// blocks take no input from it, so its derivative is 0; it cancels in f̂'(f) − f̂'(αf)).
/// `chunk` VJPs share one batched pass (the batch is repeated, each copy seeded separately).
/// The sign of rib's minus signs is kept for the functional edges; squared edges are ≥ 0.
public enum EdgeFormula: String, Sendable, Equatable, CaseIterable {
    case functional
    case squared
}

public struct EdgeSummary: Codable, Sendable, Equatable {
    public var from: String
    public var to: String
    /// Edge matrix [to][from] (functional edges are signed).
    public var weights: [[Double]]
    /// Share of the total |edge| mass in the largest 1% of edges (at least one edge).
    public var top1PercentMass: Double
    /// Share of edges needed to hold 90% of the |edge| mass.
    public var edgesFor90PercentMass: Double

    enum CodingKeys: String, CodingKey {
        case from, to, weights, top1PercentMass = "top_1_percent_mass", edgesFor90PercentMass = "edges_for_90_percent_mass"
    }

    init(from: String, to: String, weights: [[Double]]) {
        self.from = from
        self.to = to
        self.weights = weights
        let all = weights.flatMap { $0 }.map(abs).sorted(by: >)
        let total = all.reduce(0, +)
        let top = max(1, all.count / 100)
        top1PercentMass = total > 0 ? all.prefix(top).reduce(0, +) / total : 0
        var (running, needed) = (0.0, 0)
        for w in all where total > 0 && running < 0.9 * total { running += w; needed += 1 }
        edgesFor90PercentMass = all.isEmpty ? 0 : Double(needed) / Double(all.count)
    }
}

enum InteractionEdges {
    struct Settings {
        var formula: EdgeFormula = .functional
        /// Random ±1 sources over output positions for the squared formula; nil = exact.
        var sources: Int?
        var seed: UInt64 = 0
        var chunk: Int = 16
    }

    /// `cIn`/`cInPinv`: layer l's basis [w, r] / [r, w]; `cOut`: layer l+1's [w', r'].
    static func compute(_ runner: SectionRunner, batches: [DegeneracyBatch], from index: Int, to next: NodeLayer,
                        cIn: Matrix64, cInPinv: Matrix64, cOut: Matrix64, points: [(alpha: Double, weight: Double)],
                        settings: Settings) throws -> [[Double]] {
        let (rIn, rOut) = (cIn.cols, cOut.cols)
        let width = runner.width(next)
        let cTilde = try cOut.rows(Array(0..<width))     // without the constant row: it has no derivative
        var edges = [[Double]](repeating: [Double](repeating: 0, count: rIn), count: rOut)
        var generator = Xoshiro256StarStar(seed: settings.seed, stream: UInt64(index))
        var tokens = 0
        for batch in batches {
            let pass = try EdgePass(runner: runner, batch: batch, index: index, next: next, cIn: cIn, cInPinv: cInPinv,
                                    cTilde: cTilde, points: points)
            let copies = try EdgeCopies.make(settings, directions: rOut, batch: batch, generator: &generator)
            for start in stride(from: 0, to: copies.count, by: settings.chunk) {
                let chunk = Array(copies[start..<min(copies.count, start + settings.chunk)])
                let sums = try pass.rowSums(chunk)
                for (copy, j) in zip(chunk, sums) { accumulate(&edges[copy.direction], copy: copy, rowSums: j, rIn: rIn, settings: settings) }
            }
            tokens += pass.rows
        }
        let sourceCount = settings.formula == .squared ? Double(settings.sources ?? 1) : 1
        return edges.map { $0.map { $0 / (Double(max(1, tokens)) * sourceCount) } }
    }

    /// Functional: E_i −= Σ_b J_b; squared: E_i += Σ_b J_b² over the rows the copy's position is real in.
    static func accumulate(_ edge: inout [Double], copy: EdgeCopies.Copy, rowSums: [Double], rIn: Int, settings: Settings) {
        let batchRows = rowSums.count / rIn
        for b in 0..<batchRows {
            let base = b * rIn
            switch settings.formula {
            case .functional: for j in 0..<rIn { edge[j] -= rowSums[base + j] }
            case .squared: for j in 0..<rIn { edge[j] += rowSums[base + j] * rowSums[base + j] }
            }
        }
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

/// The VJPs one edge computation needs: which output direction each copy of the batch seeds,
/// and at which output position (exact squared) or with which ±1 weights over positions.
enum EdgeCopies {
    struct Copy {
        var direction: Int
        /// Exact squared edges: the one output position seeded (in every row).
        var position: Int?
        /// Squared edges with sources: φ per (row, position) of the padded batch.
        var phi: [Float]?
    }

    static func make(_ settings: InteractionEdges.Settings, directions: Int, batch: DegeneracyBatch,
                     generator: inout Xoshiro256StarStar) throws -> [Copy] {
        switch settings.formula {
        case .functional:
            return (0..<directions).map { Copy(direction: $0) }
        case .squared:
            guard let sources = settings.sources else {
                return (0..<directions).flatMap { i in (0..<batch.length).map { Copy(direction: i, position: $0) } }
            }
            // One φ per source, shared by every direction (rib draws φ once per batch).
            let phis: [[Float]] = (0..<sources).map { _ in
                batch.mask.map { real in real ? (generator.next() & 1 == 0 ? 1 : -1) : 0 }
            }
            return (0..<directions).flatMap { i in phis.map { Copy(direction: i, phi: $0) } }
        }
    }
}
