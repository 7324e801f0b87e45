import Foundation

/// Settings of a degeneracy audit (METHODS.md §9; rib's `RibBuildConfig` where the names match).
public struct DegeneracyConfig: Sendable, Equatable {
    /// Eigenvalues of G and entries of Λ below this are dropped (rib `truncation_threshold`).
    public var threshold: Double = 1e-5
    /// Integrated-gradient intervals (rib `n_intervals`, trapezoidal rule; 0 = the point α = 0.5).
    public var intervals: Int = 2
    /// At most this many tokens of the dataset are used (rows are taken in file order).
    public var maxTokens: Int = 10_000
    /// Tokens per forward batch (rows are padded to the longest row of the batch).
    public var batchTokens: Int = 2048
    /// Tokens used for the interaction edges (0 = no edges).
    public var edgeTokens: Int = 512
    /// Output directions per batched VJP when computing edges.
    public var edgeChunk: Int = 16
    /// rib's `edge_formula`: "functional" (rib's default) or "squared".
    public var edgeFormula: EdgeFormula = .functional
    /// Random ±1 sources over output positions for squared edges (rib `n_stochastic_sources_edges`);
    /// nil = exact (one VJP per output position and direction).
    public var edgeSources: Int?
    /// Tokens used for the ablation curves (0 = no curves).
    public var ablationTokens: Int = 2048
    /// Points on each ablation curve (kept-direction counts, evenly spaced).
    public var ablationPoints: Int = 9
    /// The logits are a node layer with their own Gram matrix only up to this vocabulary
    /// size; above it (a real tokenizer's 50k) the output is left unrotated, as rib's
    /// `rotate_final_node_layer = False`, and the logits entry has no Gram statistics.
    public var maxLogitsGram: Int = 4096
    /// How M' and Λ are formed (rib `basis_formula`).
    public var basisFormula: BasisFormula = .integratedGradient
    /// Random ±1 sources per batch for the "jacobian" formula; nil = the exact Jacobian
    /// (one VJP per output position and direction: for small inputs only).
    public var jacobianSources: Int? = 16
    /// Seed of the jacobian sources.
    public var seed: UInt64 = 0
    /// Node layers by name (`residual.3`, `logits`) or residual index; nil = all.
    public var layers: [String]?

    public init() {}

    /// The trapezoidal rule of rib `linalg._trapezoidal_weights`: n + 1 evenly spaced α in
    /// [ε, 1 − ε] with ε = 1e-3 / (n + 1), end points half-weighted, weights summing to 1.
    public var integrationPoints: [(alpha: Double, weight: Double)] {
        guard intervals > 0 else { return [(0.5, 1)] }
        let n = intervals, eps = 1e-3 / Double(n + 1)
        return (0...n).map { i in
            let alpha = eps + (1 - 2 * eps) * Double(i) / Double(n)
            let w = (i == 0 || i == n ? 0.5 : 1) / Double(n)
            return (alpha, w)
        }
    }

    func validate() throws {
        guard threshold > 0, threshold.isFinite else { throw AuditError.invalidConfig("--threshold must be positive, got \(threshold)") }
        guard intervals >= 0, intervals <= 64 else { throw AuditError.invalidConfig("--intervals must be in 0...64, got \(intervals)") }
        guard maxTokens > 0, batchTokens > 0 else { throw AuditError.invalidConfig("--max-tokens and the batch size must be positive") }
        if let edgeSources, edgeSources <= 0 { throw AuditError.invalidConfig("--edge-sources must be positive (0 means exact), got \(edgeSources)") }
        if edgeSources != nil, edgeFormula != .squared { throw AuditError.invalidConfig("--edge-sources applies to --edge-formula squared only (as rib's n_stochastic_sources_edges)") }
        if let jacobianSources, jacobianSources <= 0 { throw AuditError.invalidConfig("--sources must be positive (0 means exact), got \(jacobianSources)") }
        guard edgeTokens >= 0, ablationTokens >= 0, edgeChunk > 0, ablationPoints >= 2 else {
            throw AuditError.invalidConfig("edge/ablation token counts must be ≥ 0, the edge chunk > 0 and ablation points ≥ 2")
        }
    }
}

/// rib's basis formulas: "(1-0)*alpha" (integrated gradients of f̂_{l+1}·f̂_{l+1}, Λ from
/// Λ' = E[g fᵀ]) and "jacobian" (LIB: M' = E[Σ_{t,i} J_{t,i}ᵀ J_{t,i}], Λ = the spectrum of M).
public enum BasisFormula: String, Sendable, Equatable, CaseIterable {
    case integratedGradient = "(1-0)*alpha"
    case jacobian
}

/// A node layer: a residual-stream point (between blocks, `ResidualIndex` numbering) or the logits.
public enum NodeLayer: Hashable, Sendable, Comparable {
    case residual(Int)
    case logits

    public var name: String {
        switch self {
        case let .residual(i): return "residual.\(i)"
        case .logits: return "logits"
        }
    }

    /// Parses `residual.3`, `3` or `logits`.
    static func parse(_ text: String) -> NodeLayer? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t == "logits" { return .logits }
        let digits = t.hasPrefix("residual.") ? String(t.dropFirst("residual.".count)) : t
        guard let i = Int(digits), i >= 0 else { return nil }
        return .residual(i)
    }

    /// The node layers of a model with `layerCount` blocks: all of them, or the named ones in
    /// model order. Unknown names are an error listing the layers that exist.
    static func select(_ names: [String]?, layerCount: Int) throws -> [NodeLayer] {
        let all = (0...layerCount).map { NodeLayer.residual($0) } + [.logits]
        guard let names else { return all }
        var chosen = Set<NodeLayer>()
        for name in names {
            guard let layer = parse(name), all.contains(layer) else {
                throw AuditError.unknownLayer(name: name, available: "residual.0 … residual.\(layerCount), logits")
            }
            chosen.insert(layer)
        }
        guard !chosen.isEmpty else { throw AuditError.unknownLayer(name: "", available: "residual.0 … residual.\(layerCount), logits") }
        return all.filter(chosen.contains)
    }
}
