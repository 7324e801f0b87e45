import Foundation
import Testing
@testable import TemperAudit

@Suite struct LinearProbeTests {
    @Test func separatesHarmfulFromHarmlessOnLaterLayers() throws {
        let world = try AuditFixtures.worldData()
        let m = try AuditFixtures.model(AuditFixtures.baseModel, role: "base model")
        let config = ProbeConfig()
        let data = try ProbeDataset(harmful: world.harmSets, harmless: world.harmless, config: config)
        #expect(data.trainPrompts.count == 84 && data.testPrompts.count == 36)
        #expect(Set(data.trainPrompts).isDisjoint(with: data.testPrompts))
        let points = try LinearProbe.run(model: m.model, encoding: m.encoding, data: data, config: config)
        #expect(points.map(\.residualIndex) == Array(0...m.model.layerCount))
        // Every prompt ends with "?", so the embedding of the last prompt token carries nothing.
        #expect(points[0].testAccuracy == 0.5)
        for p in points.dropFirst(2) { #expect(p.testAccuracy >= 0.9, "point \(p.residualIndex): \(p.testAccuracy)") }
        // Deterministic: the same seed gives the same split and the same accuracies.
        let again = try LinearProbe.run(model: m.model, encoding: m.encoding, data: try ProbeDataset(harmful: world.harmSets, harmless: world.harmless, config: config), config: config)
        #expect(again == points)
    }

    @Test func meanPoolingSeesTheWordsAtTheEmbedding() throws {
        let world = try AuditFixtures.worldData()
        let m = try AuditFixtures.model(AuditFixtures.baseModel, role: "base model")
        let config = ProbeConfig(pooling: .meanPromptTokens)
        let points = try LinearProbe.run(model: m.model, encoding: m.encoding, data: try ProbeDataset(harmful: world.harmSets, harmless: world.harmless, config: config), config: config)
        #expect(points[0].testAccuracy >= 0.9)
    }

    @Test func rejectsBadSettings() throws {
        let world = try AuditFixtures.worldData()
        #expect(throws: AuditError.self) { try ProbeDataset(harmful: world.harmSets, harmless: world.harmless, config: ProbeConfig(trainFraction: 1)) }
        #expect(throws: AuditError.self) { try ProbeDataset(harmful: Array(world.harmSets.prefix(1)), harmless: world.harmful, config: ProbeConfig(trainFraction: 0.99)) }
    }
}
