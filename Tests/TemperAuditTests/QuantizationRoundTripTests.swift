import Foundation
import Testing
import TemperFormats
import TemperModels
@testable import TemperAudit

@Suite(.serialized) struct QuantizationRoundTripTests {
    /// The world model through Temper's own llama-quantize path on disk — f32 GGUF export,
    /// `GGUFRequantizer` to the file type, every tensor decoded — must equal the in-memory
    /// round trip tensor for tensor and bit for bit (q/k compared in GGUF's permuted row order).
    @Test(arguments: [LlamaFileType.q8_0, .q4_0, .q4_K_M])
    func equalsTheGGUFPathOfTheFormatsCode(_ fileType: LlamaFileType) throws {
        let dir = try AuditFixtures.tempDir("quant")
        defer { try? FileManager.default.removeItem(at: dir) }
        let original = try LlamaModel.load(AuditFixtures.baseModel)
        let config = try LlamaGGUFConfig.decode(configJSON: Data(contentsOf: AuditFixtures.baseModel.appendingPathComponent("config.json")))
        let sources = original.parameters.map { p in LlamaGGUFTensorSource(hfName: p.name, shape: p.tensor.shape, data: { p.tensor.toArray() }) }
        let f32 = dir.appendingPathComponent("f32.gguf"), quantized = dir.appendingPathComponent("q.gguf")
        try LlamaGGUFExport.write(to: f32, tensors: sources, config: config,
                                  tokenizerJSON: Data(contentsOf: AuditFixtures.baseModel.appendingPathComponent("tokenizer.json")), outputType: .f32)
        let source = try GGUFFile(path: f32.path)
        try GGUFRequantizer.requantize(source, to: quantized, fileType: fileType, floats: { info in
            try source.withBytes(of: info) { try GGMLDequantize.decode($0, as: info.type, count: Int(info.elementCount), tensor: info.name) }
        })
        let file = try GGUFFile(path: quantized.path)

        let model = try LlamaModel.load(AuditFixtures.baseModel)
        let plan = try QuantizationRoundTrip.apply(model, fileType: fileType)
        #expect(plan.count == model.parameters.count)
        var quantizedTensors = 0
        for (p, t) in zip(model.parameters, plan) {
            let info = try #require(file.tensors.first { $0.name == t.ggufName }, "\(t.ggufName) missing from the GGUF")
            #expect(info.type.name == t.type, "\(t.ggufName): GGUF \(info.type.name), round trip \(t.type)")
            let fromFile = try file.withBytes(of: info) { try GGMLDequantize.decode($0, as: info.type, count: p.tensor.count, tensor: info.name) }
            var mine = p.tensor.toArray()
            if let heads = LlamaGGUFMapping.permutationHeads(for: p.name, config: config) {
                mine = try LlamaGGUFMapping.permuteQK(mine, rows: p.tensor.shape[0], cols: p.tensor.shape[1], heads: heads)
            }
            #expect(mine.map(\.bitPattern) == fromFile.map(\.bitPattern), "\(p.name) differs from the GGUF path")
            if info.type != .f32 { quantizedTensors += 1 }
        }
        // Norms stay f32; every matrix went through a quantized (or f16 fallback) type.
        #expect(quantizedTensors == model.parameters.filter { $0.tensor.shape.count == 2 }.count)
    }

    @Test func theRoundTripIsDequantizeOfQuantize() throws {
        let model = try LlamaModel.load(AuditFixtures.baseModel)
        let name = "model.layers.1.mlp.down_proj.weight"
        let before = try #require(model.parameters.named(name)).tensor.toArray()
        let plan = try QuantizationRoundTrip.apply(model, fileType: .q4_K_M)
        let entry = try #require(plan.first { $0.name == name })
        let type = try #require(GGMLType.allCases.first { $0.name == entry.type })
        let row = try #require(model.parameters.named(name)).tensor.shape[1]
        let bytes = try Quantize.encode(before, as: type, rowLength: row)
        let expected = try bytes.withUnsafeBytes { try Quantize.decode($0, as: type, count: before.count) }
        #expect(try #require(model.parameters.named(name)).tensor.toArray() == expected)
        #expect(expected != before)
        // q4_k_m on 352-wide rows: Q4_K/Q6_K super-blocks of 256 do not fit, so llama.cpp falls back.
        #expect(["Q5_0", "Q8_0"].contains(entry.type))
    }

    @Test func otherArchitecturesAreRefused() throws {
        let gpt2 = try ModelRegistry.loadCausalLM(AuditFixtures.repoRoot.appendingPathComponent("Fixtures/causal/gpt2"))
        #expect(throws: AuditError.self) { try QuantizationRoundTrip.apply(gpt2, fileType: .q8_0) }
    }
}
