import Foundation

/// Binary logistic regression trained by full-batch gradient descent on standardized
/// features (mean and standard deviation from the training set; constant features are
/// left at 0). Weights start at zero, so training is deterministic.
public struct LogisticRegression: Sendable, Equatable {
    public var weights: [Double]
    public var bias: Double
    public var mean: [Double]
    public var scale: [Double]

    /// Fits `features` (one row per example, equal widths) to `labels` with `steps` steps of
    /// gradient descent on the mean log loss plus `l2`·‖w‖²/2.
    public static func fit(features: [[Double]], labels: [Bool], steps: Int, learningRate: Double, l2: Double) throws -> LogisticRegression {
        guard let width = features.first?.count, features.count == labels.count,
              features.allSatisfy({ $0.count == width }) else {
            throw AuditError.invalidConfig("the probe needs equally wide feature rows, one label each")
        }
        let n = Double(features.count)
        var mean = [Double](repeating: 0, count: width), scale = [Double](repeating: 1, count: width)
        for row in features { for j in 0..<width { mean[j] += row[j] / n } }
        for j in 0..<width {
            var v = 0.0
            for row in features { v += (row[j] - mean[j]) * (row[j] - mean[j]) }
            let sd = (v / n).squareRoot()
            scale[j] = sd > 1e-12 ? 1 / sd : 0
        }
        var model = LogisticRegression(weights: [Double](repeating: 0, count: width), bias: 0, mean: mean, scale: scale)
        let x = features.map { model.standardize($0) }
        let y = labels.map { $0 ? 1.0 : 0.0 }
        var gradW = [Double](repeating: 0, count: width)
        for _ in 0..<steps {
            for j in 0..<width { gradW[j] = l2 * model.weights[j] }
            var gradB = 0.0
            for (row, target) in zip(x, y) {
                let err = (sigmoid(model.logit(standardized: row)) - target) / n
                for j in 0..<width { gradW[j] += err * row[j] }
                gradB += err
            }
            for j in 0..<width { model.weights[j] -= learningRate * gradW[j] }
            model.bias -= learningRate * gradB
        }
        return model
    }

    func standardize(_ row: [Double]) -> [Double] {
        var out = row
        for j in 0..<min(row.count, mean.count) { out[j] = (row[j] - mean[j]) * scale[j] }
        return out
    }

    func logit(standardized row: [Double]) -> Double {
        var z = bias
        for j in 0..<min(row.count, weights.count) { z += weights[j] * row[j] }
        return z
    }

    /// Probability of the positive class.
    public func probability(_ row: [Double]) -> Double { Self.sigmoid(logit(standardized: standardize(row))) }

    /// Fraction of rows classified correctly (positive when p > 0.5).
    public func accuracy(features: [[Double]], labels: [Bool]) -> Double {
        guard !features.isEmpty else { return 0 }
        let correct = zip(features, labels).filter { (probability($0) > 0.5) == $1 }.count
        return Double(correct) / Double(features.count)
    }

    static func sigmoid(_ z: Double) -> Double { z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z)) }
}
