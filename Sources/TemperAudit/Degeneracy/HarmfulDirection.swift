import TemperTensor

/// The safety view of METHODS.md §9: d = mean over harmful prompt tokens − mean over
/// harmless prompt tokens of a layer's activations, and the share of ‖d‖² inside the
/// subspace the kept interaction directions write to (the row space of C⁺; an orthogonal
/// projection, so the share is in [0, 1]). Beside it, the same share for the top PCA
/// directions of equal count, and for the whole kept Gram subspace; then the same two shares
/// for only the directions that hold 99% of ΣΛ (`InteractionBasis.effectiveRank`).
public struct HarmfulDirection: Codable, Sendable, Equatable {
    public var norm: Double
    public var interactionFraction: Double
    public var pcaFractionSameRank: Double
    public var activationFraction: Double
    public var effectiveRank: Int
    public var effectiveFraction: Double
    public var pcaEffectiveFraction: Double

    enum CodingKeys: String, CodingKey {
        case norm, interactionFraction = "interaction_fraction", pcaFractionSameRank = "pca_fraction_same_rank"
        case activationFraction = "activation_fraction", effectiveRank = "effective_rank", effectiveFraction = "effective_fraction"
        case pcaEffectiveFraction = "pca_effective_fraction"
    }

    static func measure(_ stats: NodeStatistics, harmfulTokens: Int, harmlessTokens: Int, basis: InteractionBasis) throws -> HarmfulDirection? {
        guard harmfulTokens > 0, harmlessTokens > 0 else { return nil }
        let d = zip(stats.harmfulSum, stats.harmlessSum).map { $0 / Double(harmfulTokens) - $1 / Double(harmlessTokens) }
        let norm2 = d.reduce(0) { $0 + $1 * $1 }
        let k = basis.effectiveRank()
        guard norm2 > 0 else {
            return HarmfulDirection(norm: 0, interactionFraction: 0, pcaFractionSameRank: 0, activationFraction: 0,
                                    effectiveRank: k, effectiveFraction: 0, pcaEffectiveFraction: 0)
        }
        let rowSpace = try orthonormalRows(basis.cPinv)
        let pca = try basis.u.columns(Array(0..<min(basis.interactionRank, basis.u.cols)))
        let topRows = try orthonormalRows(basis.cPinv.rows(Array(0..<min(k, basis.cPinv.rows))))
        let topPCA = try basis.u.columns(Array(0..<min(k, basis.u.cols)))
        return HarmfulDirection(norm: norm2.squareRoot(), interactionFraction: try share(d, rowSpace) / norm2,
                                pcaFractionSameRank: try share(d, pca) / norm2, activationFraction: try share(d, basis.u) / norm2,
                                effectiveRank: k, effectiveFraction: try share(d, topRows) / norm2,
                                pcaEffectiveFraction: try share(d, topPCA) / norm2)
    }

    /// ‖Qᵀd‖² for orthonormal columns Q.
    static func share(_ d: [Double], _ q: Matrix64) throws -> Double {
        guard q.cols > 0 else { return 0 }
        let row = try Matrix64(rows: 1, cols: d.count, values: d)
        return try row.matmul(q).values.reduce(0) { $0 + $1 * $1 }
    }

    /// Orthonormal columns spanning the row space of `a` [r, w] (eigenvectors of aᵀa).
    static func orthonormalRows(_ a: Matrix64) throws -> Matrix64 {
        let eig = try SymmetricEigen(try a.matmul(a, transposeSelf: true), absoluteValues: true)
        let top = eig.values.first ?? 0
        let keep = eig.values.indices.filter { eig.values[$0] > top * 1e-12 && eig.values[$0] > 0 }
        return try eig.vectors.columns(keep)
    }
}
