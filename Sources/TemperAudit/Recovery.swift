import Foundation

/// Recovery as METHODS.md §12 reports it: the fraction of the gap between the unlearned (or
/// defended) model U and the original B that a treatment closes,
/// (metric_after − metric_U) / (metric_B − metric_U). 0: nothing came back, 1: back to B,
/// negative: further from B than U. Undefined (nil) when U and B do not differ on the metric.
public enum Recovery {
    /// Gaps smaller than this are "no gap" (an unlearning that changed nothing on the metric).
    public static let minimumGap = 1e-9

    public static func fraction(after: Double, unlearned: Double, base: Double) -> Double? {
        let gap = base - unlearned
        guard abs(gap) > minimumGap, after.isFinite, unlearned.isFinite, base.isFinite else { return nil }
        return (after - unlearned) / gap
    }
}

/// Mean ± sample standard deviation (n − 1 in the denominator; 0 for one value) of the
/// values a statistic took over seeds.
public struct MeanSD: Sendable, Equatable, Codable {
    public var mean: Double
    public var sd: Double
    public var n: Int

    /// nil when there are no values.
    public init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let m = values.reduce(0, +) / Double(values.count)
        let ss = values.reduce(0) { $0 + ($1 - m) * ($1 - m) }
        mean = m
        sd = values.count > 1 ? (ss / Double(values.count - 1)).squareRoot() : 0
        n = values.count
    }

    /// "0.42 ± 0.05 (n = 3)".
    public func formatted(_ format: String = "%.3f") -> String {
        String(format: format, mean) + " ± " + String(format: format, sd) + (n > 1 ? "" : " (n = 1)")
    }
}
