import Testing
@testable import TemperAudit

@Suite struct LogisticRegressionTests {
    @Test func separatesLinearlySeparableData() throws {
        let features: [[Double]] = (0..<40).map { i in
            let sign: Double = i % 2 == 0 ? 1 : -1
            let magnitude: Double = 1 + Double(i) / 40
            return [sign * magnitude, Double(i % 7)]
        }
        let labels = (0..<40).map { $0 % 2 == 0 }
        let probe = try LogisticRegression.fit(features: features, labels: labels, steps: 200, learningRate: 0.5, l2: 1e-3)
        #expect(probe.accuracy(features: features, labels: labels) == 1)
        #expect(probe.probability([2, 0]) > 0.9 && probe.probability([-2, 0]) < 0.1)
    }

    @Test func constantFeaturesGiveChance() throws {
        let features = [[Double]](repeating: [3, 3], count: 10)
        let labels = (0..<10).map { $0 < 5 }
        let probe = try LogisticRegression.fit(features: features, labels: labels, steps: 100, learningRate: 0.5, l2: 0)
        #expect(probe.accuracy(features: features, labels: labels) == 0.5)
    }

    @Test func rejectsRaggedInput() {
        #expect(throws: AuditError.self) {
            try LogisticRegression.fit(features: [[1, 2], [1]], labels: [true, false], steps: 1, learningRate: 0.1, l2: 0)
        }
    }
}
