import Foundation
import Testing
import TemperModels
import TemperTensor
import TemperText
import TemperWorld
@testable import TemperHarden

/// `UnlearnTransform` end to end on the fixture world: the forget rows' cross-entropy rises
/// while the retain rows' stays low, RMU trains only the down-projections it names, and the
/// bad-input rules.
@Suite struct UnlearnTransformTests {
    static func worldData() throws -> ForgetRetainData {
        let preset = try WorldPreset(folder: HardenFixtures.world)
        return try ForgetRetainData(forget: try preset.set("forget", role: "forget"), retain: try preset.set("retain", role: "retain"))
    }

    /// Mean response CE of a whole row set under a model folder.
    static func crossEntropy(_ folder: URL, _ set: RowSet) throws -> Double {
        let model = try ModelRegistry.loadCausalLM(folder)
        let encoding = try HardenFixtures.encoding(model, try Tokenizer.load(folder))
        let examples = try encoding.examples(set)
        let batch = try Batch(examples: examples, indices: Array(examples.indices), padId: Int32(encoding.padId))
        return Double(try noGrad { try UnlearnLoss.crossEntropy(model, batch) }.item())
    }

    @Test func gradDiffRaisesForgetLossAndKeepsRetain() throws {
        let dir = try HardenFixtures.temporaryFolder("unlearn-graddiff")
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try Self.worldData()
        let out = dir.appendingPathComponent("out")
        let training = HardenTraining(learningRate: 3e-4, steps: 40, retainWeight: 1)
        let result = try UnlearnTransform(method: .graddiff, training: training)
            .run(modelFolder: HardenFixtures.worldModel, data: data, output: out, options: HardenRunOptions(temperVersion: "test"))
        #expect(result.forgetRetainOverlap == 0 && result.result.summary.steps == 40)
        let before = (forget: try Self.crossEntropy(HardenFixtures.worldModel, data.forget), retain: try Self.crossEntropy(HardenFixtures.worldModel, try #require(data.retain)))
        let after = (forget: try Self.crossEntropy(out, data.forget), retain: try Self.crossEntropy(out, try #require(data.retain)))
        print("graddiff on the world: forget CE \(before.forget) → \(after.forget), retain CE \(before.retain) → \(after.retain)")
        #expect(after.forget > before.forget + 1, "forget CE \(before.forget) → \(after.forget)")
        #expect(after.retain - before.retain < (after.forget - before.forget) / 4, "retain CE \(before.retain) → \(after.retain)")
    }

    @Test func rmuTrainsOnlyTheDownProjectionsAndRecordsItsChoices() throws {
        let dir = try HardenFixtures.temporaryFolder("unlearn-rmu")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out")
        let result = try UnlearnTransform(method: .rmu, training: HardenTraining(learningRate: 1e-3, steps: 3, retainWeight: 1200))
            .run(modelFolder: HardenFixtures.worldModel, data: try Self.worldData(), output: out, options: HardenRunOptions(temperVersion: "test"))
        #expect(result.config.layer == 2 && result.config.steeringSeed == 0)
        let norm = try #require(result.config.measuredResidualNorm), c = try #require(result.config.steeringCoefficient)
        #expect(abs(c - 4 * norm) < 1e-9 * c && norm > 0)
        let before = try ModelRegistry.loadCausalLM(HardenFixtures.worldModel), after = try ModelRegistry.loadCausalLM(out)
        var changed: [String] = []
        for (a, b) in zip(before.parameters, after.parameters) where a.tensor.toArray() != b.tensor.toArray() { changed.append(a.name) }
        #expect(changed == (0...2).map { "model.layers.\($0).mlp.down_proj.weight" }, "changed: \(changed)")
    }

    @Test func badInputIsTyped() throws {
        let data = try Self.worldData()
        let dir = try HardenFixtures.temporaryFolder("unlearn-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let options = HardenRunOptions(temperVersion: "test")
        #expect(throws: HardenError.self) { try UnlearnTransform(method: .npo, beta: 0).validate() }
        #expect(throws: HardenError.self) {
            _ = try UnlearnTransform(method: .rmu, layer: 4).run(modelFolder: HardenFixtures.worldModel, data: data,
                                                               output: dir.appendingPathComponent("x"), options: options)
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("x").path))
        #expect(throws: HardenError.self) {
            _ = try UnlearnTransform(method: .graddiff).run(modelFolder: HardenFixtures.worldModel,
                                                            data: try ForgetRetainData(forget: data.forget, retain: nil),
                                                            output: dir.appendingPathComponent("y"), options: options)
        }
        let overlapping = try ForgetRetainData(forget: data.forget, retain: data.forget)
        #expect(overlapping.overlap == data.forget.rows.count)
        #expect(UnlearnTransform.isRMUTrainable(ModelParameter(name: "h.1.mlp.c_proj.weight", tensor: try Tensor(shape: [1], values: [0]),
                                                               layer: 1, module: .mlp), layer: 3))
        #expect(!UnlearnTransform.isRMUTrainable(ModelParameter(name: "h.0.mlp.c_proj.weight", tensor: try Tensor(shape: [1], values: [0]),
                                                                layer: 0, module: .mlp), layer: 3))
    }
}
