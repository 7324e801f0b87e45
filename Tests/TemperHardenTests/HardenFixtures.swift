import Foundation
import TemperFormats
import TemperModels
import TemperTensor
import TemperText
import TemperWorld
@testable import TemperHarden

/// Paths to the committed fixtures and the loss-fidelity reference
/// (Fixtures/harden/make_loss_reference.py).
enum HardenFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let world = root.appendingPathComponent("Fixtures/world")
    static let worldModel = world.appendingPathComponent("model")
    static let referenceJSON = root.appendingPathComponent("Fixtures/harden/loss_reference.json")
    static let referenceTensors = root.appendingPathComponent("Fixtures/harden/loss_reference.safetensors")

    struct Row: Decodable { var prompt: String, response: String, refusal: String }
    /// The parts of one RepNoise branch (nil where the branch drops the term).
    struct RepNoiseValues: Decodable {
        var refusal_ce: Double, harmful_ce: Double?, lens_ce: [Double], noise_per_layer: [Double]
        var noise: Double?, ascent_argument: Double?, total: Double
    }
    struct AdversarialValues: Decodable { var refusal_ce: Double, harmful_ce: Double, total: Double }
    struct Reference: Decodable {
        var alpha: Double, beta: Double, adversarial_alpha: Double
        var rows: [Row]
        var harmful_ids: [[Int]], refusal_ids: [[Int]], mask: [[Int]]
        var repnoise: RepNoiseValues
        var variants: [String: RepNoiseValues]
        var adversarial: AdversarialValues
        var mmd: Double
        var repnoise_gradients: [String], ablation_gradients: [String], adversarial_gradients: [String]
    }

    static func reference() throws -> Reference {
        try JSONDecoder().decode(Reference.self, from: try Data(contentsOf: referenceJSON))
    }

    /// A float32 tensor of the reference safetensors file.
    static func tensor(_ name: String, file url: URL = referenceTensors) throws -> Tensor {
        let file = try SafetensorsFile(url: url)
        guard let record = file.record(named: name) else { throw HardenError.emptyData(source: url.path, reason: "no tensor \(name)") }
        let values = try HalfPrecision.toFloat32(try file.bytes(of: record), dtype: record.dtype, tensor: name)
        return try Tensor(shape: record.shape, values: values)
    }

    static func rows(_ reference: Reference) -> [DatasetRow] {
        reference.rows.map { DatasetRow(prompt: $0.prompt, response: $0.response, refusal: $0.refusal) }
    }

    /// Rows as a data set named `name` (recorded as generated in code).
    static func set(_ rows: [DatasetRow], name: String = "pairs") throws -> RowSet {
        try RowSet.generated(rows, name: name, role: "harmful", source: "test:\(name)")
    }

    /// The world's pairs (harmful_a_train) and retain rows (harmless_train).
    static func worldData(retain: Bool = true) throws -> HardenData {
        try WorldPreset(folder: world).hardenData(retain: retain)
    }

    /// The text settings of the world's model (plain template, max length 64).
    static func encoding(_ model: any CausalLanguageModel, _ tokenizer: Tokenizer) throws -> TextEncoding {
        try TextEncoding(tokenizer: tokenizer, model: model, maxLength: 64)
    }

    /// The world model with every parameter trainable, its tokenizer, and the reference batch.
    static func modelAndBatch() throws -> (LlamaModel, Tokenizer, PairedBatch, Reference) {
        let reference = try reference()
        let model = try LlamaModel.load(worldModel)
        model.parameters.setTrainable { _ in true }
        let tokenizer = try Tokenizer.load(worldModel)
        let examples = try PairedData.examples(try set(rows(reference)), encoding: try encoding(model, tokenizer))
        return (model, tokenizer, try PairedBatch(examples, padId: tokenizer.padTokenId ?? 0), reference)
    }

    /// |a − b| / |b|.
    static func relative(_ a: Double, _ b: Double) -> Double { abs(a - b) / max(abs(b), 1e-30) }

    /// ‖a − b‖ / ‖b‖ over all elements.
    static func relative(_ a: Tensor, _ b: Tensor) -> Double {
        let x = a.toArray(), y = b.toArray()
        var diff = 0.0, norm = 0.0
        for (u, v) in zip(x, y) { diff += Double(u - v) * Double(u - v); norm += Double(v) * Double(v) }
        return x.count == y.count ? (diff / max(norm, 1e-300)).squareRoot() : .infinity
    }

    /// Gradient of a named parameter after a backward pass.
    static func gradient(_ model: LlamaModel, _ name: String) throws -> Tensor {
        guard let grad = model.parameters.named(name)?.tensor.grad else { throw HardenError.emptyData(source: name, reason: "no gradient") }
        return grad
    }

    static func temporaryFolder(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("temper-harden-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
