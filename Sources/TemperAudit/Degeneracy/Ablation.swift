import TemperModels
import TemperTensor

/// The ablation curve of METHODS.md §9 (rib `ablations.py`, "rotate to the basis, zero the
/// ablated directions, rotate back"): the residual at a node layer is replaced by
/// f' = (f C)[:, :k] C⁺[:k, :] — the k directions with the largest Λ (interaction basis)
/// or the largest Gram eigenvalues (PCA basis) kept — and the model runs on to the logits.
/// The loss is the mean next-token cross-entropy over the response tokens of the harmless
/// rows (the loss the model was trained on; harmful rows are left out so that a defence's
/// deliberately high harmful loss does not mask the curve).
public struct AblationCurve: Codable, Sendable, Equatable {
    /// Directions kept at each point.
    public var kept: [Int]
    public var interactionLoss: [Double]
    public var pcaLoss: [Double]
    /// The unablated model's loss on the same tokens.
    public var baseline: Double

    enum CodingKeys: String, CodingKey {
        case kept, interactionLoss = "interaction_loss", pcaLoss = "pca_loss", baseline
    }
}

enum Ablation {
    static func curve(_ runner: SectionRunner, batches: [DegeneracyBatch], index: Int, basis: InteractionBasis,
                      points: Int) throws -> AblationCurve {
        guard batches.contains(where: { $0.responseLabelCount > 0 }) else {
            throw AuditError.emptyDataset(path: "dataset", reason: "the ablation tokens hold no harmless response tokens to score")
        }
        let top = max(basis.interactionRank, basis.activationRank)
        var kept = (0..<points).map { Int((Double($0) * Double(top) / Double(points - 1)).rounded()) }
        kept = Array(Set(kept)).sorted()
        let pcaC = basis.u, pcaPinv = basis.u.transposed
        var interaction: [Double] = [], pca: [Double] = []
        for k in kept {
            interaction.append(try loss(runner, batches, index: index, c: basis.c, cPinv: basis.cPinv, keep: k))
            pca.append(try loss(runner, batches, index: index, c: pcaC, cPinv: pcaPinv, keep: k))
        }
        let baseline = try loss(runner, batches, index: index, c: nil, cPinv: nil, keep: 0)
        return AblationCurve(kept: kept, interactionLoss: interaction, pcaLoss: pca, baseline: baseline)
    }

    /// Mean CE with the residual at `index` projected onto the first `keep` basis directions
    /// (no projection when `c` is nil).
    static func loss(_ runner: SectionRunner, _ batches: [DegeneracyBatch], index: Int, c: Matrix64?, cPinv: Matrix64?, keep: Int) throws -> Double {
        var (total, count) = (0.0, 0)
        for batch in batches {
            let f = try runner.residual(index, batch)
            var input = f
            if let c, let cPinv {
                let k = min(keep, c.cols)
                input = try project(f, c: c.columns(Array(0..<k)), cPinv: cPinv.rows(Array(0..<k)))
            }
            let logits = try noGrad { try runner.run(from: index, input: input, to: .logits, batch) }
            let sum = try LanguageModelLoss.causal(logits: logits, labels: batch.responseLabels, reduction: .sum).item()
            total += Double(sum)
            count += batch.responseLabelCount
        }
        return total / Double(max(1, count))
    }

    /// ([f, 1] C_k C⁺_k) without the last (bias) coordinate, at every position.
    static func project(_ f: Tensor, c: Matrix64, cPinv: Matrix64) throws -> Tensor {
        let width = f.shape[f.rank - 1], positions = f.count / max(1, width)
        var aug = [Double](repeating: 1, count: positions * (width + 1))
        f.withUnsafeBufferPointer { p in
            for pos in 0..<positions { for k in 0..<width { aug[pos * (width + 1) + k] = Double(p[pos * width + k]) } }
        }
        let a = try Matrix64(rows: positions, cols: width + 1, values: aug)
        let out: Matrix64 = c.cols == 0 ? try .zeros(positions, width + 1) : try a.matmul(c).matmul(cPinv)
        var values = [Float](repeating: 0, count: positions * width)
        for pos in 0..<positions { for k in 0..<width { values[pos * width + k] = Float(out[pos, k]) } }
        return try Tensor(shape: f.shape, values: values)
    }
}
