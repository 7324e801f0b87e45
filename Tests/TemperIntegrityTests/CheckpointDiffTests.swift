import Foundation
import Testing
import TemperFormats
@testable import TemperIntegrity

@Suite struct CheckpointDiffTests {
    func f32(_ v: [Float]) -> [UInt8] { v.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) } }
    func i32(_ v: [Int32]) -> [UInt8] { v.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) } }
    func f16(_ v: [Float]) -> [UInt8] { v.flatMap { withUnsafeBytes(of: HalfPrecision.f16Bits(fromFloat: $0).littleEndian, Array.init) } }
    func bf16(_ v: [Float]) -> [UInt8] { v.flatMap { withUnsafeBytes(of: HalfPrecision.bf16Bits(fromFloat: $0).littleEndian, Array.init) } }

    func write(_ url: URL, _ tensors: [(String, DType, [Int], [UInt8])]) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let bytes = Dictionary(uniqueKeysWithValues: tensors.map { ($0.0, $0.3) })
        try SafetensorsWriter.write(to: url, tensors: tensors.map { TensorSpec(name: $0.0, dtype: $0.1, shape: $0.2) }) { bytes[$0.name] ?? [] }
    }

    let base: [Float] = (0..<16).map { Float($0) - 7.5 }
    let small: [Float] = [1, -2, 0.5, 4]

    @Test func namesAddedRemovedChangedWithRelativeL2PerLayer() throws {
        let dir = try Fx.scratch("diff")
        defer { Fx.remove(dir) }
        let a = dir.appendingPathComponent("a"), b = dir.appendingPathComponent("b")
        try write(a.appendingPathComponent("model.safetensors"), [
            ("model.layers.0.w", .f32, [4, 4], f32(base)), ("model.layers.1.w", .f32, [4], f32(small)),
            ("embed", .f16, [2, 2], f16(small)), ("gone", .f32, [1], f32([1])), ("count", .i32, [2], i32([3, 4])),
            ("model.layers.1.shape", .f32, [4], f32(small)),
        ])
        try write(b.appendingPathComponent("model-00001.safetensors"), [
            ("model.layers.0.w", .f32, [4, 4], f32(base.map { $0 * 1.5 })), ("model.layers.1.w", .f32, [4], f32(small)),
        ])
        try write(b.appendingPathComponent("model-00002.safetensors"), [
            ("embed", .bf16, [2, 2], bf16(small)), ("new", .f32, [2], f32([0, 0])), ("count", .i32, [2], i32([3, 7])),
            ("model.layers.1.shape", .f32, [2, 2], f32(small)),
        ])
        let report = try CheckpointDiff.compare(a.path, b.path)
        #expect(report.tensorsA == 6 && report.tensorsB == 6 && report.unchanged == 1)
        let byName = Dictionary(uniqueKeysWithValues: report.differences.map { ($0.name, $0) })
        #expect(byName["gone"]?.status == .removed && byName["new"]?.status == .added)
        #expect(byName["model.layers.1.w"] == nil)
        let w = try #require(byName["model.layers.0.w"])
        #expect(w.status == .changed && w.layer == 0 && !w.dtypeChanged && !w.shapeChanged)
        #expect(abs((w.relativeL2 ?? 0) - 0.5) < 1e-12)
        #expect(w.maxAbsDifference == 3.75)
        let embed = try #require(byName["embed"])
        #expect(embed.dtypeChanged && embed.dtypeA == "F16" && embed.dtypeB == "BF16")
        #expect(embed.relativeL2 == 0)  // these values are exact in both half formats
        // ‖(0, 3)‖ / ‖(3, 4)‖ = 3/5
        #expect(abs((byName["count"]?.relativeL2 ?? 0) - 0.6) < 1e-12)
        let shape = try #require(byName["model.layers.1.shape"])
        #expect(shape.shapeChanged && shape.relativeL2 == nil)
        // Per layer: layer 0 one change, layer 1 one unchanged and one shape change; the rest outside layers.
        #expect(report.layers.map(\.layer) == [0, 1, nil])
        #expect(report.layers[0].changed == 1 && abs((report.layers[0].relativeL2 ?? 0) - 0.5) < 1e-12)
        #expect(report.layers[1].changed == 1 && report.layers[1].unchanged == 1)
        #expect(report.layers[2].added == 1 && report.layers[2].removed == 1 && report.layers[2].changed == 2)
        #expect(report.differences.first?.name == "model.layers.0.w")  // sorted by layer, then name
    }

    @Test func identicalCheckpointsAndSingleFiles() throws {
        let dir = try Fx.scratch("diff")
        defer { Fx.remove(dir) }
        let file = dir.appendingPathComponent("x/m.safetensors")
        try write(file, [("a", .f32, [16], f32(base))])
        let report = try CheckpointDiff.compare(file.path, file.deletingLastPathComponent().path)
        #expect(report.identical && report.unchanged == 1)
        #expect(try CheckpointDiff.compare(Fx.model.path, Fx.model.path).unchanged == 7)
    }

    @Test func badInputsAreTypedErrors() throws {
        let dir = try Fx.scratch("diff")
        defer { Fx.remove(dir) }
        try write(dir.appendingPathComponent("d/one.safetensors"), [("a", .f32, [1], f32([1]))])
        try write(dir.appendingPathComponent("d/two.safetensors"), [("a", .f32, [1], f32([2]))])
        #expect(throws: IntegrityError.self) { try CheckpointDiff.compare(dir.appendingPathComponent("d").path, Fx.model.path) }
        try Fx.write("{}", to: dir.appendingPathComponent("empty/config.json"))
        #expect(throws: IntegrityError.self) { try CheckpointDiff.compare(dir.appendingPathComponent("empty").path, Fx.model.path) }
        #expect(throws: IntegrityError.notFound(path: dir.path + "/nope")) { try CheckpointDiff.compare(dir.path + "/nope", Fx.model.path) }
    }

    @Test func layerIndexFromCommonNamingSchemes() {
        #expect(CheckpointDiff.layerIndex("model.layers.12.mlp.down_proj.weight") == 12)
        #expect(CheckpointDiff.layerIndex("blk.3.attn_q.weight") == 3)
        #expect(CheckpointDiff.layerIndex("transformer.h.0.attn.c_attn.weight") == 0)
        #expect(CheckpointDiff.layerIndex("bert.encoder.layer.7.output.dense.bias") == 7)
        #expect(CheckpointDiff.layerIndex("model.embed_tokens.weight") == nil)
        #expect(CheckpointDiff.layerIndex("lm_head.h") == nil)
        #expect(CheckpointDiff.layerIndex("layers.x.weight") == nil)
    }
}
