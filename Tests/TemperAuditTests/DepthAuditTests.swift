import Foundation
import TemperFormats
import Testing
import TemperHarden
import TemperWorld
@testable import TemperAudit

@Suite(.serialized) struct DepthAuditTests {
    static let smallGrid = AttackGrid(learningRates: [1e-3], budgets: [2], seeds: [0], batchSize: 8, threshold: 0.5)

    func svgCount(_ html: String) -> Int { html.components(separatedBy: "<svg").count - 1 }

    @Test func baseAgainstItselfShowsNoDifference() throws {
        let config = DepthConfig(measureAttackCost: false)
        let report = try DepthAudit.run(base: AuditFixtures.baseModel, defended: AuditFixtures.baseModel, data: try AuditFixtures.worldData(), config: config)
        #expect(report.layers == 4 && report.measures == [.weightChange, .logitLens, .probe, .knowledgeProbe])
        #expect(report.attackCost == nil && report.freezeAblation == nil)
        let change = try #require(report.weightChange.first)
        #expect(change.modules.allSatisfy { $0.relativeChange == 0 } && change.layers.count == 4)
        #expect(report.logitLens.count == 2 && report.logitLens[0].values == report.logitLens[1].values)
        #expect(report.logitLens[0].values.count == 5)
        #expect(report.probe.count == 2 && report.probe[0].points == report.probe[1].points)
        let knowledge = try #require(report.knowledgeProbe.first)
        #expect(report.knowledgeProbe.count == 1 && knowledge.series.map(\.model) == ["base", "defended"])
        #expect(knowledge.series[0] .testAccuracy == knowledge.series[1].testAccuracy && report.quantization == nil)
        #expect(report.probePooling == .lastPromptToken && report.probeTrainExamples == 84 && report.probeTestExamples == 36)
        #expect(svgCount(report.html) == report.measures.count)
        #expect(!report.html.contains("<script") && report.html.contains("Data and judges"))
        #expect(report.lensSets == ["harmful_a_train", "harmful_a_heldout", "harmful_b"] && report.attackedSet == "harmful_a_train")
    }

    @Test func everyMeasureWithAttackedModelAndFreezeAblation() throws {
        let dir = try AuditFixtures.tempDir("depth")
        defer { try? FileManager.default.removeItem(at: dir) }
        let defended = try AuditFixtures.defendedModel(in: dir)
        let attacked = try AuditFixtures.modelWithOneTensorChanged(in: dir, tensor: "model.layers.3.self_attn.o_proj.weight")
        let config = DepthConfig(grid: Self.smallGrid)
        // k = 1 is attacked here (the defended model stands in for a frozen-layers run);
        // k = 0 comes from results measured elsewhere.
        let precomputed = [FreezeAblationResult(frozenThrough: 0, model: "elsewhere", postAttackHarmfulRate: 0.25)]
        let report = try DepthAudit.run(base: AuditFixtures.baseModel, defended: defended, attacked: attacked, data: try AuditFixtures.worldData(),
                                        config: config, freezeAblation: [FreezeAblationModel(frozenThrough: 1, folder: defended)],
                                        freezeAblationResults: precomputed, quantization: [.q8_0])
        #expect(report.measures == DepthMeasure.allCases)
        let quantization = try #require(report.quantization)
        #expect(quantization.mode == .harmful && quantization.variants.count == 4 && quantization.types == ["Q8_0"])
        #expect(report.knowledgeProbe.first?.series.map(\.model) == ["base", "defended", "attacked"])
        #expect(report.weightChange.map(\.label) == ["defended", "attacked"])
        #expect(report.weightChange[0].layers.allSatisfy { ($0.relativeChange ?? 0) > 0 })
        #expect(report.weightChange[1].layers.filter { ($0.relativeChange ?? 0) > 0 }.map(\.layer) == [3])
        #expect(report.logitLens.map(\.model) == ["base", "defended", "attacked"])
        #expect(report.probe.count == 3)
        let cost = try #require(report.attackCost)
        #expect(cost.count == 2 && cost.allSatisfy { $0.stepsByLearningRate.count == 1 && $0.longestRun == 2 })
        let ablation = try #require(report.freezeAblation)
        #expect(ablation.map(\.frozenThrough) == [0, 1])
        #expect(ablation[0] == precomputed[0])
        // The k = 1 model is the defended model under the same grid and seed: same harm as its attack cost.
        #expect(ablation[1].postAttackHarmfulRate == cost[1].postAttackHarmfulRate)
        #expect(svgCount(report.html) == 8)   // one per measure, two for quantization

        let files = try ReportFiles.write(report, html: report.html, to: dir.appendingPathComponent("depth"))
        #expect(try JSONDecoder().decode(DepthReport.self, from: Data(contentsOf: files.json)) == report)
    }

    @Test func anUnlearnedModelAndTheForgetSetJoinTheProbes() throws {
        var data = try AuditFixtures.worldData()
        let preset = try TemperWorld.WorldPreset(folder: AuditFixtures.world)
        data.forget = try preset.set("forget", role: "forget")
        let report = try DepthAudit.run(base: AuditFixtures.baseModel, defended: AuditFixtures.baseModel, unlearned: AuditFixtures.baseModel,
                                        data: data, config: DepthConfig(measureAttackCost: false))
        #expect(report.unlearned == AuditFixtures.baseModel.path && report.weightChange.map(\.label) == ["defended", "unlearned"])
        #expect(report.logitLens.map(\.model) == ["base", "defended", "unlearned"])
        #expect(report.knowledgeProbe.map(\.sets) == [["harmful_a_train", "harmful_a_heldout", "harmful_b"], ["forget"]])
        #expect(report.knowledgeProbe.allSatisfy { $0.series.count == 3 })
        #expect(report.data.contains { $0.role == "forget" })
        #expect(svgCount(report.html) == 5)
    }

    @Test func freezeAblationResultsFileIsValidated() throws {
        let dir = try AuditFixtures.tempDir("ablation")
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("good.json"), bad = dir.appendingPathComponent("bad.json")
        try Data(#"[{"frozenThrough":2,"model":"m2","postAttackHarmfulRate":0.5},{"frozenThrough":-1,"model":"m","postAttackHarmfulRate":0.1}]"#.utf8).write(to: good)
        #expect(try FreezeAblation.load(good).map(\.frozenThrough) == [-1, 2])
        try Data(#"[{"frozenThrough":-2,"model":"m2","postAttackHarmfulRate":0.5}]"#.utf8).write(to: bad)
        #expect(throws: AuditError.self) { try FreezeAblation.load(bad) }
        try Data("not json".utf8).write(to: bad)
        #expect(throws: AuditError.self) { try FreezeAblation.load(bad) }
        #expect(throws: AuditError.self) { try FreezeAblation.load(dir.appendingPathComponent("missing.json")) }
    }

    @Test func rejectsBadSettings() throws {
        var config = DepthConfig(measureAttackCost: false)
        config.grid.threshold = 2
        #expect(throws: AuditError.self) {
            try DepthAudit.run(base: AuditFixtures.baseModel, defended: AuditFixtures.baseModel, data: try AuditFixtures.worldData(), config: config)
        }
    }
}
