import Foundation
import Testing
import TemperHarden
import TemperModels
import TemperText
import TemperWorld
@testable import TemperAudit

@Suite(.serialized) struct KnowledgeProbeTests {
    /// The world's base with every weight redrawn: uniform ±0.05 (norm weights 1), seeded.
    static func randomModel(in dir: URL) throws -> URL {
        let model = try LlamaModel.load(AuditFixtures.baseModel)
        var rng = Xoshiro256StarStar(seed: 42, stream: 7)
        for p in model.parameters {
            p.tensor.withUnsafeMutableBufferPointer { values in
                for i in values.indices {
                    values[i] = p.module == .norm ? 1 : Float(Double(rng.next() >> 11) / Double(1 << 53) - 0.5) * 0.1
                }
            }
        }
        let out = dir.appendingPathComponent("random")
        try model.save(to: out)
        return out
    }

    @Test func theDatasetProbesContentTokensOfHeldOutRows() throws {
        let world = try AuditFixtures.worldData()
        let m = try AuditFixtures.model(AuditFixtures.baseModel, role: "base model")
        let data = try KnowledgeProbeDataset(rows: world.harmSets.flatMap(\.rows), source: "world", encoding: m.encoding, config: KnowledgeProbeConfig())
        let structural = Set(data.structuralTokens.compactMap { m.tokenizer.idToToken($0) })
        // The recipe's frame words and the end token are in every answer; ingredients are not.
        #expect(["first", "then", "finally"].allSatisfy(structural.contains))
        #expect(!data.train.contains { structural.contains(m.tokenizer.idToToken($0.target) ?? "") })
        #expect(Set(data.train.map(\.row)).isDisjoint(with: data.test.map(\.row)))
        #expect(data.trainRows + data.testRows == 60 && data.trainRows == 36)
        // Every probed position is the one that predicts its target (teacher forcing).
        for p in data.test { #expect(data.examples[p.row].inputIds[p.position + 1] == Int32(p.target)) }
        #expect(data.chance >= 0 && data.chance < 0.5)
    }

    @Test func chanceOnARandomModelAndHighOnTheBaseModelsLateLayers() throws {
        let dir = try AuditFixtures.tempDir("knowledge")
        defer { try? FileManager.default.removeItem(at: dir) }
        let random = try Self.randomModel(in: dir)
        let world = try AuditFixtures.worldData()
        let models = [("base", try AuditFixtures.model(AuditFixtures.baseModel, role: "base model")),
                      ("random", try AuditFixtures.model(random, role: "random model"))]
        let report = try KnowledgeProbe.run(models: models, sets: world.harmSets, config: KnowledgeProbeConfig())
        let (base, rand) = (report.series[0], report.series[1])
        #expect(base.testAccuracy.count == 5 && report.testPositions > 50 && report.classes > 10)
        // The embedding output holds only the current token: both models sit at the context-free chance level.
        #expect(abs(base.testAccuracy[0] - report.chance) <= 0.05 && abs(rand.testAccuracy[0] - report.chance) <= 0.05)
        // Random weights: the probe fits its training rows but decodes nothing about held-out rows, at any depth.
        for (i, a) in rand.testAccuracy.enumerated() { #expect(a <= report.chance + 0.1, "random model, point \(i): \(a) vs chance \(report.chance)") }
        // The base model still holds the recipes it refuses to say: high on held-out rows after the first block
        // (measured 0.77, 0.81, 0.83, 0.84 at points 1–4 against a chance of 0.23).
        for i in 1...4 { #expect(base.testAccuracy[i] >= 0.65, "base model, point \(i): \(base.testAccuracy[i])") }
    }

    @Test func softmaxRegressionSeparatesClasses() throws {
        // Three clusters on the axes of a 3-d space, plus noise-free copies: fully separable.
        var xs: [[Double]] = []
        for i in 0..<30 {
            var row = [Double](repeating: Double(i % 5) * 0.01, count: 3)
            row[i % 3] = 1.0 + Double(i) * 0.01
            xs.append(row)
        }
        let ys = (0..<30).map { $0 % 3 }
        let probe = try SoftmaxRegression.fit(features: xs, labels: ys, classes: 3, steps: 200, learningRate: 0.5, l2: 1e-3)
        #expect(try probe.predict(xs) == ys)
        #expect(try SoftmaxRegression.fit(features: xs, labels: ys, classes: 3, steps: 200, learningRate: 0.5, l2: 1e-3) == probe)
        #expect(throws: AuditError.self) { try SoftmaxRegression.fit(features: xs, labels: ys, classes: 2, steps: 1, learningRate: 1, l2: 0) }
    }
}
