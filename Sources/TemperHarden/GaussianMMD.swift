import Foundation
import TemperTensor

/// Squared maximum mean discrepancy between two equally sized samples, as the RepNoise
/// reference's `MMD_loss` computes it: the biased estimator
/// `mean(K_xx + K_yy − K_xy − K_yx)` with K a sum of `kernels` Gaussian kernels
/// `exp(−‖a − b‖² / (b₀·m^i))`, i = 0..<kernels, where
/// b₀ = (Σ pairwise squared distances over the joint sample / (n² − n)) / m^(kernels/2)
/// (so with 5 kernels and m = 2 the bandwidths are b·2^(i−2), b the mean off-diagonal
/// squared distance). The bandwidth is computed from detached values (`L2_distance.data`).
public struct GaussianMMD: Sendable, Equatable {
    public var kernels: Int
    public var multiplier: Float

    public init(kernels: Int = 5, multiplier: Float = 2) {
        self.kernels = kernels
        self.multiplier = multiplier
    }

    /// MMD² of `source` and `target`, both [n, d] with the same n ≥ 1.
    public func callAsFunction(_ source: Tensor, _ target: Tensor) throws -> Tensor {
        guard source.rank == 2, source.shape == target.shape, source.shape[0] > 0 else {
            throw HardenError.invalidConfig("MMD needs two [n, d] samples of one shape, got \(source.shape) and \(target.shape)")
        }
        guard kernels > 0, multiplier > 0 else { throw HardenError.invalidConfig("MMD needs kernels ≥ 1 and a positive multiplier") }
        let n = source.shape[0]
        let total = try concat([source, target], axis: 0)
        let distances = try squaredDistances(total, total)
        let joint = 2 * n
        var sum = 0.0
        distances.withUnsafeBufferPointer { for v in $0 { sum += Double(v) } }
        let pairs = Double(joint * joint - joint)
        var bandwidth = (pairs > 0 ? sum / pairs : 0) / Foundation.pow(Double(multiplier), Double(kernels / 2))
        guard bandwidth > 0, bandwidth.isFinite else {
            throw HardenError.invalidConfig("MMD bandwidth is \(bandwidth): the joint sample has no spread")
        }
        var kernel: Tensor?
        for _ in 0..<kernels {
            let k = (distances * Float(-1 / bandwidth)).exp()
            kernel = try kernel.map { try $0 + k } ?? k
            bandwidth *= Double(multiplier)
        }
        // +1 on the XX and YY blocks, −1 on XY and YX, averaged over the n × n block entries.
        var weights = [Float](repeating: 0, count: joint * joint)
        let scale = 1 / Float(n * n)
        for i in 0..<joint { for j in 0..<joint { weights[i * joint + j] = (i < n) == (j < n) ? scale : -scale } }
        guard let kernel else { throw HardenError.invalidConfig("MMD needs at least one kernel") }
        return try (kernel * Tensor(shape: [joint, joint], values: weights)).sum()
    }
}
