import Foundation
import Testing
@testable import TemperAudit

@Suite struct LinearProbeTests {
    @Test func separatesHarmfulFromHarmlessOnLaterLayers() throws {
        let world = try AuditWorld.open(AuditFixtures.world)
        let m = try AuditModel.load(AuditFixtures.baseModel, role: "base model")
        let config = ProbeConfig()
        let data = try ProbeDataset(world: world, config: config)
        #expect(data.trainPrompts.count == 84 && data.testPrompts.count == 36)
        #expect(Set(data.trainPrompts).isDisjoint(with: data.testPrompts))
        let points = try LinearProbe.run(model: m.model, tokenizer: m.tokenizer, data: data, config: config)
        #expect(points.map(\.residualIndex) == Array(0...m.model.layerCount))
        // Every prompt ends with "?", so the embedding of the last prompt token carries nothing.
        #expect(points[0].testAccuracy == 0.5)
        for p in points.dropFirst(2) { #expect(p.testAccuracy >= 0.9, "point \(p.residualIndex): \(p.testAccuracy)") }
        // Deterministic: the same seed gives the same split and the same accuracies.
        let again = try LinearProbe.run(model: m.model, tokenizer: m.tokenizer, data: try ProbeDataset(world: world, config: config), config: config)
        #expect(again == points)
    }

    @Test func meanPoolingSeesTheWordsAtTheEmbedding() throws {
        let world = try AuditWorld.open(AuditFixtures.world)
        let m = try AuditModel.load(AuditFixtures.baseModel, role: "base model")
        let config = ProbeConfig(pooling: .meanPromptTokens)
        let points = try LinearProbe.run(model: m.model, tokenizer: m.tokenizer, data: try ProbeDataset(world: world, config: config), config: config)
        #expect(points[0].testAccuracy >= 0.9)
    }

    @Test func rejectsBadSettings() throws {
        let world = try AuditWorld.open(AuditFixtures.world)
        #expect(throws: AuditError.self) { try ProbeDataset(world: world, config: ProbeConfig(trainFraction: 1)) }
        #expect(throws: AuditError.self) { try ProbeDataset(world: world, config: ProbeConfig(harmlessSplit: "no_such_split")) }
    }
}
