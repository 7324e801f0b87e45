import Foundation
import Testing
import TemperIntegrity
import TemperModels
@testable import TemperAudit

@Suite struct WeightChangeTests {
    @Test func identicalModelsChangeNothing() throws {
        let base = try AuditFixtures.model(AuditFixtures.baseModel, role: "base model")
        let same = try AuditFixtures.model(AuditFixtures.baseModel, role: "defended model")
        let c = try WeightChange.compare(reference: base, model: same, label: "defended")
        #expect(c.modules.count > 0 && c.tensors.count == base.model.parameters.count)
        #expect(c.modules.allSatisfy { $0.relativeChange == 0 && $0.changeNorm == 0 && $0.referenceNorm > 0 })
        #expect(c.layers.map(\.layer) == Array(0..<base.model.layerCount))
        #expect(c.layers.allSatisfy { $0.relativeChange == 0 })
        #expect(c.changedTensorFiles.isEmpty)
        // Outside-block groups are reported separately: embeddings, final norm, head.
        #expect(c.change(layer: nil, module: .embedding) != nil && c.change(layer: nil, module: .norm) != nil)
        #expect(c.change(layer: nil, module: .head) != nil)
    }

    @Test func onlyTheChangedLayerAndModuleShowChange() throws {
        let dir = try AuditFixtures.tempDir("one-tensor")
        defer { try? FileManager.default.removeItem(at: dir) }
        let name = "model.layers.2.mlp.down_proj.weight"
        let changed = try AuditFixtures.modelWithOneTensorChanged(in: dir, tensor: name)
        let base = try AuditFixtures.model(AuditFixtures.baseModel, role: "base model")
        let other = try AuditFixtures.model(changed, role: "defended model")
        let c = try WeightChange.compare(reference: base, model: other, label: "defended")
        for m in c.modules {
            if m.layer == 2 && m.module == .mlp {
                #expect((m.relativeChange ?? 0) > 0)
            } else {
                #expect(m.relativeChange == 0, "layer \(m.layer.map(String.init) ?? "-") \(m.module) changed")
            }
        }
        #expect(c.layers.filter { ($0.relativeChange ?? 0) > 0 }.map(\.layer) == [2])
        #expect(c.changedTensorFiles == [name])
        // The tensor's own figure agrees with TemperIntegrity's streaming diff (f64 sums).
        let diff = try CheckpointDiff.compare(AuditFixtures.baseModel.path, changed.path)
        let expected = try #require(diff.differences.first { $0.name == name }?.relativeL2)
        let mine = try #require(c.tensors.first { $0.name == name }?.relativeChange)
        #expect(abs(mine - expected) <= 1e-9 * expected)
        // ‖ΔW‖ = 0.01 · √(element count) exactly up to f32 rounding of the stored values.
        let count = Double(try #require(base.model.parameters.named(name)).tensor.count)
        #expect(abs((c.tensors.first { $0.name == name }?.changeNorm ?? 0) - 0.01 * count.squareRoot()) < 1e-3)
    }

    @Test func trainingChangesEveryBlock() throws {
        let dir = try AuditFixtures.tempDir("defended")
        defer { try? FileManager.default.removeItem(at: dir) }
        let defended = try AuditFixtures.defendedModel(in: dir, steps: 3)
        let c = try WeightChange.compare(reference: try AuditFixtures.model(AuditFixtures.baseModel, role: "base model"),
                                         model: try AuditFixtures.model(defended, role: "defended model"), label: "defended")
        #expect(c.layers.count == 4 && c.layers.allSatisfy { ($0.relativeChange ?? 0) > 0 })
        #expect(c.changedTensorFiles.count == c.tensors.count)
    }
}
