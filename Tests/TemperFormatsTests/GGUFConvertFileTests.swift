import Foundation
import Testing
@testable import TemperFormats

/// Whole-file identity with llama.cpp's convert_hf_to_gguf.py: each Fixtures/gguf_convert folder
/// plus the checkpoint its weights.json describes (mixed bf16/f16/f32 tensors, written here in an
/// order that is not convert's; llama-bpe-tiny in two parts with an index), exported by
/// `CheckpointConverter` at f32, must have the sha256 that convert's file had
/// (expected.json `file`, written by make_convert_expectations.py). On a mismatch the tensor
/// order and each tensor's digest say where the files part.
@Suite struct GGUFConvertFileTests {
    struct Planned { var name: String; var shape: [Int]; var dtype: DType; var part: String }

    static func plan(_ folder: String) throws -> [Planned] {
        let url = GGUFConvertParityTests.root.appendingPathComponent(folder).appendingPathComponent("weights.json")
        let o = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        return try #require(o["tensors"] as? [[String: Any]]).map { e in
            Planned(name: e["name"] as? String ?? "", shape: e["shape"] as? [Int] ?? [],
                    dtype: DType(rawValue: (e["dtype"] as? String ?? "").uppercased()) ?? .u8, part: e["part"] as? String ?? "")
        }
    }

    /// make_convert_expectations.py `weight_values`: exact in bf16, f16 and f32.
    static func values(tensor t: Int, count: Int) -> [Float] {
        (0..<count).map { i in
            let h = UInt32(truncatingIfNeeded: UInt64(i) &* 40503 &+ UInt64(t + 1) &* 2_654_435_761)
            return Float(Int(h >> 24) - 128) * 0x1p-12
        }
    }

    /// The folder convert saw: the fixture's files and the planned weights, under the fixture's
    /// name (general.name comes from it).
    static func materialize(_ folder: String, in work: URL) throws -> URL {
        let src = GGUFConvertParityTests.root.appendingPathComponent(folder)
        let dir = work.appendingPathComponent(folder)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: src.path) where !["expected.json", "weights.json"].contains(name) {
            try FileManager.default.copyItem(at: src.appendingPathComponent(name), to: dir.appendingPathComponent(name))
        }
        let plan = try plan(folder)
        let parts = plan.map(\.part).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        var total = 0
        for part in parts {
            let members = plan.enumerated().filter { $0.element.part == part }
            let specs = members.map { TensorSpec(name: $0.element.name, dtype: $0.element.dtype, shape: $0.element.shape) }
            let writer = try SafetensorsWriter(url: dir.appendingPathComponent(part), tensors: specs, metadata: [("format", "pt")], order: .asGiven)
            for (t, p) in members {
                let v = values(tensor: t, count: p.shape.reduce(1, *))
                let bytes = try v.withUnsafeBufferPointer { try HalfPrecision.fromFloat32($0, to: p.dtype, tensor: p.name) }
                total += bytes.count
                try writer.append(p.name, bytes)
            }
            try writer.finish()
        }
        if parts.count > 1 {
            let map = plan.map { "\"\($0.name)\": \"\($0.part)\"" }.joined(separator: ", ")
            let index = "{\"metadata\": {\"total_size\": \(total)}, \"weight_map\": {\(map)}}"
            try Data(index.utf8).write(to: dir.appendingPathComponent(ShardedCheckpoint.indexFileName))
        }
        return dir
    }

    @Test(arguments: GGUFConvertParityTests.folders) func f32ExportIsByteIdenticalToConvertHFToGGUF(folder: String) throws {
        let expected = try GGUFConvertParityTests.expected(folder)
        let file = try #require(expected.file, "\(folder): expected.json has no whole-file digest; rerun make_convert_expectations.py")
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("temper-convert-file-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let dir = try Self.materialize(folder, in: work)
        let out = work.appendingPathComponent("out.gguf")
        _ = try CheckpointConverter.convert(try ConversionInput(url: dir), to: out, options: ConversionOptions(target: .gguf, dtype: .f32))
        let bytes = [UInt8](try Data(contentsOf: out))
        let gguf = try GGUFFile(url: out)
        #expect(gguf.tensors.map(\.name) == expected.tensors.map { $0["name"] as? String ?? "?" }, "\(folder): tensor order")
        for (info, e) in zip(gguf.tensors, expected.tensors) where e["name"] as? String == info.name {
            #expect(LlamaGGUFPreTokenizer.sha256Hex(Array(gguf.bytes(of: info))) == e["sha256"] as? String, "\(folder): \(info.name) data")
        }
        #expect(bytes.count == file.size, "\(folder): file size")
        #expect(LlamaGGUFPreTokenizer.sha256Hex(bytes) == file.sha256, "\(folder): whole-file sha256")
    }

    @Test func orderIsPartsThenNamesNotHeaderOrder() {
        let items = [("model-00002-of-00002.safetensors", "model.layers.0.mlp.up_proj.weight"),
                     ("model-00001-of-00002.safetensors", "model.norm.weight"),
                     ("model-00001-of-00002.safetensors", "lm_head.weight"),
                     ("model-00002-of-00002.safetensors", "model.layers.0.input_layernorm.weight")]
        let ordered = LlamaGGUFExport.convertOrder(items) { (file: $0.0, name: $0.1) }.map(\.1)
        #expect(ordered == ["lm_head.weight", "model.norm.weight", "model.layers.0.input_layernorm.weight", "model.layers.0.mlp.up_proj.weight"])
    }
}
