import TemperTensor

/// The interaction basis of one node layer, computed as rib's
/// `interaction_algos._calculate_one_interaction_rotation` (no centering, no isolated
/// layer-norm direction):
///
///     G = U' D' U'ᵀ (|eigenvalues|, descending); keep D' > threshold → U, D   (activation rank)
///     R = U D^{-1/2},  R⁺ = D^{1/2} Uᵀ
///     M = R⁺ M' R⁺ᵀ = V Λ_M Vᵀ                               (linalg.eigendecompose)
///     Λ = |diag(Vᵀ R⁺ Λ' R V)|; sort descending, keep Λ ≥ threshold   (build_sorted_lambda_matrices)
///         (the "jacobian" formula has no Λ': Λ = the eigenvalues of M)
///     C = R V Λ^{1/2},  C⁺ = Λ^{-1/2} Vᵀ R⁺                  (interaction rank = columns of C)
///
/// Interaction-basis activations are f̂ = f C for row vectors f (with the bias coordinate).
/// The last node layer, having no next layer, takes rib's "svd" basis: C = U, C⁺ = Uᵀ.
public struct InteractionBasis: Sendable {
    /// All eigenvalues of G, descending.
    public let gramSpectrum: [Double]
    public let activationRank: Int
    /// Eigenvalues of M (descending), nil for an "svd" basis.
    public let mSpectrum: [Double]?
    /// Λ sorted descending, before truncation; nil for an "svd" basis.
    public let lambda: [Double]?
    public let interactionRank: Int
    /// [width, interactionRank] and [interactionRank, width].
    public let c: Matrix64
    public let cPinv: Matrix64
    /// The Gram eigenvectors kept (the PCA basis of the ablation baseline) and their eigenvalues.
    public let u: Matrix64
    public let d: [Double]
    /// M in the whitened Gram basis (R⁺ M' R⁺ᵀ), nil for an "svd" basis.
    public let m: Matrix64?

    /// The fewest leading directions that hold `mass` of ΣΛ (of the Gram eigenvalues for an
    /// "svd" basis): an absolute threshold of 1e-5 keeps nearly every direction of a trained
    /// model, this count says how many carry the interactions.
    public func effectiveRank(mass: Double = 0.99) -> Int {
        let values = lambda.map { Array($0.prefix(interactionRank)) } ?? d
        let total = values.reduce(0, +)
        guard total > 0 else { return 0 }
        var running = 0.0
        for (k, v) in values.enumerated() {
            running += v
            if running >= mass * total { return k + 1 }
        }
        return values.count
    }

    struct GramPart {
        let spectrum: [Double]
        let u: Matrix64
        let d: [Double]
    }

    static func gramPart(_ gram: Matrix64, threshold: Double, layer: String) throws -> GramPart {
        guard gram.isFinite else { throw AuditError.nonFiniteActivations(layer: layer, row: 0) }
        let eig = try SymmetricEigen(gram, absoluteValues: true)
        let keep = eig.values.indices.filter { eig.values[$0] > threshold }
        guard !keep.isEmpty else {
            throw AuditError.degenerateLayer(layer: layer, reason: "the Gram matrix has no eigenvalue above \(threshold) (rank 0)")
        }
        return GramPart(spectrum: eig.values, u: try eig.vectors.columns(keep), d: keep.map { eig.values[$0] })
    }

    /// rib's "svd" basis (the final node layer).
    static func svd(gram: Matrix64, threshold: Double, layer: String) throws -> InteractionBasis {
        let g = try gramPart(gram, threshold: threshold, layer: layer)
        return InteractionBasis(gramSpectrum: g.spectrum, activationRank: g.d.count, mSpectrum: nil, lambda: nil,
                                interactionRank: g.d.count, c: g.u, cPinv: g.u.transposed, u: g.u, d: g.d, m: nil)
    }

    static func interaction(gram: Matrix64, mDash: Matrix64, lambdaDash: Matrix64?, threshold: Double, layer: String) throws -> InteractionBasis {
        let g = try gramPart(gram, threshold: threshold, layer: layer)
        guard mDash.isFinite, lambdaDash?.isFinite ?? true else { throw AuditError.nonFiniteActivations(layer: layer, row: 0) }
        let sqrtD = g.d.map { $0.squareRoot() }
        let r = try g.u.scalingColumns(sqrtD.map { 1 / $0 })           // U D^{-1/2}
        let rPinv = try g.u.transposed.scalingRows(sqrtD)              // D^{1/2} Uᵀ
        let m = try rPinv.matmul(mDash).matmul(rPinv, transposeOther: true)
        let eig = try SymmetricEigen(m, absoluteValues: true)
        let v = eig.vectors
        let rv = try r.matmul(v), vtRPinv = try v.matmul(rPinv, transposeSelf: true)
        let lambdaAll = try lambdaDash.map { try vtRPinv.matmul($0).matmul(rv).diagonalValues.map(abs) } ?? eig.values.map(abs)
        let order = lambdaAll.indices.sorted { lambdaAll[$0] > lambdaAll[$1] || (lambdaAll[$0] == lambdaAll[$1] && $0 < $1) }
        let kept = order.filter { lambdaAll[$0] >= threshold }
        guard !kept.isEmpty else {
            throw AuditError.degenerateLayer(layer: layer, reason: "every Λ is below \(threshold): no direction of this layer affects the next")
        }
        let sqrtL = kept.map { lambdaAll[$0].squareRoot() }
        let c = try rv.columns(kept).scalingColumns(sqrtL)
        let cPinv = try vtRPinv.rows(kept).scalingRows(sqrtL.map { 1 / $0 })
        return InteractionBasis(gramSpectrum: g.spectrum, activationRank: g.d.count, mSpectrum: eig.values,
                                lambda: order.map { lambdaAll[$0] }, interactionRank: kept.count,
                                c: c, cPinv: cPinv, u: g.u, d: g.d, m: m)
    }
}
