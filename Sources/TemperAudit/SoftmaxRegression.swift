import Foundation
import TemperTensor

/// Multinomial logistic regression (the multi-class sibling of `LogisticRegression`, same
/// recipe): features standardized with the training set's mean and sd (constant features
/// left at 0), weights from zero, full-batch gradient descent on the mean cross-entropy
/// plus `l2`·‖W‖²/2 (bias not penalized). Deterministic; the products go through BLAS.
public struct SoftmaxRegression: Sendable, Equatable {
    /// [classes × width], row-major.
    public var weights: Matrix64
    public var bias: [Double]
    public var mean: [Double]
    public var scale: [Double]

    public var classCount: Int { bias.count }

    /// Fits `features` (equal widths) to `labels` in 0..<`classes`.
    public static func fit(features: [[Double]], labels: [Int], classes: Int, steps: Int, learningRate: Double, l2: Double) throws -> SoftmaxRegression {
        guard let width = features.first?.count, width > 0, features.count == labels.count, classes >= 1,
              features.allSatisfy({ $0.count == width }), labels.allSatisfy({ (0..<classes).contains($0) }) else {
            throw AuditError.invalidConfig("the softmax probe needs equally wide feature rows and one label in 0..<\(classes) each")
        }
        let n = features.count
        var mean = [Double](repeating: 0, count: width), scale = [Double](repeating: 1, count: width)
        for row in features { for j in 0..<width { mean[j] += row[j] / Double(n) } }
        for j in 0..<width {
            var v = 0.0
            for row in features { v += (row[j] - mean[j]) * (row[j] - mean[j]) }
            let sd = (v / Double(n)).squareRoot()
            scale[j] = sd > 1e-12 ? 1 / sd : 0
        }
        var model = SoftmaxRegression(weights: try .zeros(classes, width), bias: [Double](repeating: 0, count: classes), mean: mean, scale: scale)
        let x = try Matrix64(rows: n, cols: width, values: features.flatMap { model.standardize($0) })
        for _ in 0..<steps {
            // p − y, divided by n: the gradient of the mean cross-entropy w.r.t. the logits.
            var residual = try model.probabilities(standardized: x)
            for i in 0..<n { residual.values[i * classes + labels[i]] -= 1 }
            for i in residual.values.indices { residual.values[i] /= Double(n) }
            let gradW = try residual.matmul(x, transposeSelf: true)          // [classes × width]
            for i in model.weights.values.indices {
                model.weights.values[i] -= learningRate * (gradW.values[i] + l2 * model.weights.values[i])
            }
            for c in 0..<classes {
                var g = 0.0
                for i in 0..<n { g += residual.values[i * classes + c] }
                model.bias[c] -= learningRate * g
            }
        }
        return model
    }

    func standardize(_ row: [Double]) -> [Double] {
        var out = row
        for j in 0..<min(row.count, mean.count) { out[j] = (row[j] - mean[j]) * scale[j] }
        return out
    }

    /// Softmax probabilities [n × classes] of standardized rows.
    func probabilities(standardized x: Matrix64) throws -> Matrix64 {
        var logits = try x.matmul(weights, transposeOther: true)
        let k = classCount
        for i in 0..<x.rows {
            var top = -Double.infinity
            for c in 0..<k { logits.values[i * k + c] += bias[c]; top = max(top, logits.values[i * k + c]) }
            var sum = 0.0
            for c in 0..<k { let e = exp(logits.values[i * k + c] - top); logits.values[i * k + c] = e; sum += e }
            for c in 0..<k { logits.values[i * k + c] /= sum }
        }
        return logits
    }

    /// The most probable class of each row (ties: the lowest index).
    public func predict(_ features: [[Double]]) throws -> [Int] {
        guard !features.isEmpty else { return [] }
        let width = mean.count
        guard features.allSatisfy({ $0.count == width }) else { throw AuditError.invalidConfig("probe features must be \(width) wide") }
        let p = try probabilities(standardized: try Matrix64(rows: features.count, cols: width, values: features.flatMap { standardize($0) }))
        return (0..<features.count).map { i in
            var best = 0
            for c in 1..<max(classCount, 1) where p.values[i * classCount + c] > p.values[i * classCount + best] { best = c }
            return best
        }
    }
}
