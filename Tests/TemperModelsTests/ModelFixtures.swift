import Foundation
import Testing
import TemperFormats
import TemperTensor
@testable import TemperModels

/// Committed fixtures (Fixtures/models/, Fixtures/tiny-llama/) and the reference outputs
/// that Fixtures/models/make_model_fixtures.py computed with transformers.
enum ModelFixtures {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// A model folder: "tiny-llama" or one under Fixtures/models/.
    static func folder(_ name: String) -> URL {
        name == "tiny-llama" ? root.appendingPathComponent("tiny-llama") : root.appendingPathComponent("models/\(name)")
    }

    static func reference(_ name: String) throws -> Reference {
        try Reference(name: name)
    }

    /// A fresh temporary folder; the caller removes it.
    static func temporaryFolder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tempermodels-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A copy of a fixture folder in a temporary folder (for tests that edit files).
    static func copy(_ name: String) throws -> URL {
        let dir = try temporaryFolder().appendingPathComponent(name)
        try FileManager.default.copyItem(at: folder(name), to: dir)
        return dir
    }
}

/// NAME.reference.json (ints, lists) and NAME.reference.safetensors (f32 tensors).
struct Reference {
    let json: [String: Any]
    let tensors: SafetensorsFile

    init(name: String) throws {
        let base = ModelFixtures.root.appendingPathComponent("models/\(name).reference")
        let data = try Data(contentsOf: base.appendingPathExtension("json"))
        json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        tensors = try SafetensorsFile(url: base.appendingPathExtension("safetensors"))
    }

    func ints(_ key: String) throws -> [[Int]] {
        try #require(json[key] as? [[Int]], "reference key \(key)")
    }

    func flatInts(_ key: String) throws -> [Int] {
        try #require(json[key] as? [Int], "reference key \(key)")
    }

    func number(_ key: String) throws -> Double {
        try #require(json[key] as? Double, "reference key \(key)")
    }

    func strings(_ key: String) throws -> [String] {
        try #require(json[key] as? [String], "reference key \(key)")
    }

    /// A reference tensor as (shape, values).
    func tensor(_ name: String) throws -> (shape: [Int], values: [Float]) {
        let record = try #require(tensors.record(named: name), "reference tensor \(name)")
        return (record.shape, try HalfPrecision.toFloat32(try tensors.bytes(of: record), dtype: record.dtype, tensor: name))
    }
}

/// Max absolute difference and the max difference relative to the reference's largest
/// magnitude (robust where single values are near 0).
struct Difference: CustomStringConvertible {
    let maxAbs: Float
    let relative: Float
    var description: String { "max |Δ| \(maxAbs), relative \(relative)" }
}

func difference(_ actual: Tensor, _ expected: (shape: [Int], values: [Float])) throws -> Difference {
    try #require(actual.shape == expected.shape, "shape \(actual.shape) vs reference \(expected.shape)")
    return difference(actual.toArray(), expected.values)
}

func difference(_ actual: [Float], _ expected: [Float]) -> Difference {
    var maxAbs: Float = 0, scale: Float = 0
    for (a, e) in zip(actual, expected) {
        maxAbs = max(maxAbs, abs(a - e))
        scale = max(scale, abs(e))
    }
    if actual.count != expected.count { maxAbs = .infinity }
    return Difference(maxAbs: maxAbs, relative: scale > 0 ? maxAbs / scale : maxAbs)
}

/// Measured differences are printed so the report can quote them.
func report(_ label: String, _ d: Difference) {
    print("parity \(label): \(d)")
}
