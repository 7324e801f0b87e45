import Foundation
import Testing
import TemperFormats
import TemperModels
import TemperTensor
import TemperText
@testable import TemperHarden

/// Loss fidelity for `temper unlearn`: GA, GradDiff, NPO, SimNPO and RMU on the fixture world's
/// model against the torch reference formulas (Fixtures/unlearn/make_reference.py, float64),
/// values and gradients within 1e-5 relative.
@Suite struct UnlearnLossTests {
    static let tolerance = 1e-5
    static let folder = HardenFixtures.root.appendingPathComponent("Fixtures/unlearn")

    struct Row: Decodable { var prompt: String, response: String }
    struct Reference: Decodable {
        var perturbed: String
        var gamma: Double, alpha: Double, npo_beta: Double, simnpo_beta: Double, simnpo_delta: Double
        var rmu_alpha: Double, rmu_layer: Int, rmu_scale: Double, rmu_norm: Double
        var forget_rows: [Row], retain_rows: [Row]
        var forget_ids: [[Int]], forget_labels: [[Int]], retain_ids: [[Int]], retain_labels: [[Int]]
        var ga: Double, graddiff: Double, npo: Double, simnpo: Double, rmu: Double, rmu_forget: Double, rmu_retain: Double
        var forget_ce: Double, retain_ce: Double
        var gradients: [String], rmu_gradients: [String], rmu_down: String
    }

    static func reference() throws -> Reference {
        try JSONDecoder().decode(Reference.self, from: try Data(contentsOf: folder.appendingPathComponent("reference.json")))
    }

    static func tensor(_ name: String) throws -> Tensor {
        let url = folder.appendingPathComponent("reference.safetensors")
        let file = try SafetensorsFile(url: url)
        guard let record = file.record(named: name) else { throw HardenError.emptyData(source: url.path, reason: "no tensor \(name)") }
        return try Tensor(shape: record.shape, values: try HalfPrecision.toFloat32(try file.bytes(of: record), dtype: record.dtype, tensor: name))
    }

    /// The trained model, the reference model (one weight perturbed as the script does), and both batches.
    static func setUp() throws -> (model: LlamaModel, reference: LlamaModel, forget: Batch, retain: Batch, values: Reference) {
        let values = try reference()
        let model = try LlamaModel.load(HardenFixtures.worldModel)
        model.parameters.setTrainable { _ in true }
        let frozen = try LlamaModel.load(HardenFixtures.worldModel)
        let weight = try #require(frozen.parameters.named(values.perturbed))
        try weight.tensor.assign(try tensor("ref." + values.perturbed))
        let encoding = try HardenFixtures.encoding(model, try Tokenizer.load(HardenFixtures.worldModel))
        func batch(_ rows: [Row], ids: [[Int]], labels: [[Int]]) throws -> Batch {
            let examples = try encoding.examples(rows.map { DatasetRow(prompt: $0.prompt, response: $0.response) }, source: "reference")
            let b = try Batch(examples: examples, indices: Array(examples.indices), padId: Int32(encoding.padId))
            #expect(b.inputIds.map(Int.init) == ids.flatMap { $0 }, "Temper's token ids differ from the reference's")
            #expect(b.labels.map(Int.init) == labels.flatMap { $0 }, "Temper's labels differ from the reference's")
            return b
        }
        return (model, frozen, try batch(values.forget_rows, ids: values.forget_ids, labels: values.forget_labels),
                try batch(values.retain_rows, ids: values.retain_ids, labels: values.retain_labels), values)
    }

    func check(_ name: String, _ loss: Tensor, _ expected: Double, model: LlamaModel, gradients: [String]) throws {
        let value = Double(try loss.item())
        let error = HardenFixtures.relative(value, expected)
        print("\(name): Temper \(value), reference \(expected), relative error \(error)")
        #expect(error < Self.tolerance, "\(name): Temper \(value), reference \(expected), relative error \(error)")
        try loss.backward()
        for weight in gradients {
            var grad = try HardenFixtures.gradient(model, weight)
            let expectedGrad = try Self.tensor("\(name)_grad.\(weight)")
            if grad.shape != expectedGrad.shape { grad = try grad.slice(axis: 0, 0..<expectedGrad.shape[0]) }
            let e = HardenFixtures.relative(grad, expectedGrad)
            print("\(name) gradient \(weight): relative error \(e)")
            #expect(e < Self.tolerance, "\(name) gradient of \(weight): relative error \(e)")
        }
    }

    @Test func gradientAscentMatches() throws {
        let s = try Self.setUp()
        try check("ga", try UnlearnLoss.crossEntropy(s.model, s.forget) * -1, s.values.ga, model: s.model, gradients: s.values.gradients)
    }

    @Test func gradientDifferenceMatches() throws {
        let s = try Self.setUp()
        let loss = try UnlearnLoss.crossEntropy(s.model, s.forget) * Float(-s.values.gamma)
            + UnlearnLoss.crossEntropy(s.model, s.retain) * Float(s.values.alpha)
        try check("graddiff", loss, s.values.graddiff, model: s.model, gradients: s.values.gradients)
    }

    @Test func npoMatchesWithADifferingReference() throws {
        let s = try Self.setUp()
        let loss = try UnlearnLoss.npo(s.model, reference: s.reference, s.forget, beta: s.values.npo_beta)
        // π_ref ≠ π_θ here, so the loss is not the trivial (2/β)·log 2.
        #expect(abs(Double(try loss.item()) - 2 / s.values.npo_beta * log(2)) > 1e-3)
        try check("npo", loss, s.values.npo, model: s.model, gradients: s.values.gradients)
    }

    @Test func simNPOMatches() throws {
        let s = try Self.setUp()
        let loss = try UnlearnLoss.simNPO(s.model, s.forget, beta: s.values.simnpo_beta, delta: s.values.simnpo_delta)
        try check("simnpo", loss, s.values.simnpo, model: s.model, gradients: s.values.gradients)
    }

    @Test func rmuMatches() throws {
        let s = try Self.setUp()
        let layer = s.values.rmu_layer
        let norm = try UnlearnLoss.meanResidualNorm(s.reference, s.forget, layer: layer)
        #expect(HardenFixtures.relative(norm, s.values.rmu_norm) < Self.tolerance, "residual norm \(norm) vs \(s.values.rmu_norm)")
        let parts = try UnlearnLoss.rmu(s.model, frozen: s.reference, forget: s.forget, retain: s.retain, layer: layer,
                                        control: try Self.tensor("rmu_control"))
        #expect(HardenFixtures.relative(Double(try parts.forget.item()), s.values.rmu_forget) < Self.tolerance)
        #expect(HardenFixtures.relative(Double(try parts.retain.item()), s.values.rmu_retain) < Self.tolerance)
        let total = try parts.forget + parts.retain * Float(s.values.rmu_alpha)
        try check("rmu", total, s.values.rmu, model: s.model, gradients: s.values.rmu_gradients + [s.values.rmu_down])
    }

    @Test func steeringDirectionIsUnitUniformAndSeeded() throws {
        let u = try UnlearnLoss.steeringDirection(hidden: 64, seed: 7)
        let values = u.toArray()
        #expect(abs(values.reduce(0) { $0 + Double($1) * Double($1) } - 1) < 1e-5)
        #expect(values.allSatisfy { $0 >= 0 })
        #expect(try UnlearnLoss.steeringDirection(hidden: 64, seed: 7).toArray() == values)
        #expect(try UnlearnLoss.steeringDirection(hidden: 64, seed: 8).toArray() != values)
    }

    @Test func rmuDefaultsScaleWithTheModel() {
        #expect(UnlearnTransform.defaultLayer(layerCount: 32) == 7)
        #expect(UnlearnTransform.defaultLayer(layerCount: 4) == 2)
        #expect(UnlearnTransform.defaultLayer(layerCount: 2) == 0)
        #expect(UnlearnTransform.defaultLayer(layerCount: 12) == 3)
    }
}
