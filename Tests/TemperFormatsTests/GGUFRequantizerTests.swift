import Foundation
import Testing
@testable import TemperFormats

/// `GGUFRequantizer` against `llama-quantize` itself: the tiny Llama GGUF of
/// Fixtures/quant/tiny-llama-spec.json is rebuilt here value for value, re-quantized into
/// each file type, and compared with the digests of llama-quantize's output files
/// (Fixtures/quant/tiny-llama.llama-quantize.json, make_llama_quantize_expectations.sh).
@Suite struct GGUFRequantizerTests {
    static let dir = GGUFFixtures.root.appendingPathComponent("Fixtures/quant")

    static func fnv1a64(_ bytes: UnsafeRawBufferPointer) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return String(format: "%016llx", h)
    }

    /// Writes the spec's f32 GGUF (same KV pairs in order, same values as make_tiny_llama_gguf.py).
    static func writeTinyLlama(to url: URL) throws {
        let spec = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("tiny-llama-spec.json"))) as? [String: Any]
        let kvList = spec?["kv"] as? [[Any]] ?? [], tensorList = spec?["tensors"] as? [[Any]] ?? []
        let kv: [GGUFKeyValue] = kvList.compactMap { e in
            guard let key = e[0] as? String, let type = e[1] as? String else { return nil }
            switch type {
            case "string": return GGUFKeyValue(key, .string(e[2] as? String ?? ""))
            case "uint32": return GGUFKeyValue(key, .uint32(UInt32((e[2] as? NSNumber)?.uint32Value ?? 0)))
            default: return GGUFKeyValue(key, .float32((e[2] as? NSNumber)?.floatValue ?? 0))
            }
        }
        let tensors = tensorList.map { e in (name: e[0] as? String ?? "", dims: (e[1] as? [Int]) ?? []) }
        let writer = GGUFWriter(url: url)
        try writer.writeHeader(metadata: kv, tensorCount: tensors.count)
        try writer.writeTensorInfos(tensors.map { GGUFTensorSpec(name: $0.name, shape: $0.dims.reversed(), type: .f32) })
        var rng = SplitMix(seed: UInt64((spec?["seed"] as? Int) ?? 0))
        for t in tensors {
            let values = (0..<t.dims.reduce(1, *)).map { _ in Float(Int64(rng.next() >> 40) - (1 << 23)) * 0x1p-27 }
            try values.withUnsafeBytes { try writer.writeTensorData($0) }
        }
        try writer.finish()
    }

    /// Between them these mixtures use every type Temper writes (K-quants, IQ4_XS/NL, the
    /// Q4_0/Q5_0/Q5_1/Q8_0 fallbacks, BF16) and every mixture rule of a dense Llama; the
    /// other 11 file types of the JSON are checked live by `make interop` (this subset keeps
    /// the test at ~3 s of CPU in a debug build).
    static let checked = ["q2_k", "q3_k_m", "q4_k_m", "q5_k_m", "q4_1", "iq4_xs", "bf16"]

    @Test func fileTypesEqualLlamaQuantizeByteForByte() throws {
        let all = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.dir.appendingPathComponent("tiny-llama.llama-quantize.json"))) as? [String: [String: Any]] ?? [:]
        #expect(all.count == 18)
        let expected = all.filter { Self.checked.contains($0.key) }
        #expect(expected.count == Self.checked.count)
        let tmp = try GGUFFixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let input = tmp.appendingPathComponent("f32.gguf")
        try Self.writeTinyLlama(to: input)
        let file = try GGUFFile(url: input)
        for (name, want) in expected.sorted(by: { $0.key < $1.key }) {
            let fileType = try #require(LlamaFileType(name: name))
            let out = tmp.appendingPathComponent("\(name).gguf")
            _ = try GGUFRequantizer.requantize(file, to: out, fileType: fileType, floats: { info in
                try Quantize.decode(file.bytes(of: info), as: info.type, count: Int(info.elementCount), tensor: info.name)
            })
            let data = try Data(contentsOf: out)
            let digest = data.withUnsafeBytes { Self.fnv1a64($0) }
            guard digest != want["file_fnv1a64"] as? String else { continue }
            Issue.record("\(name): file differs from llama-quantize's (\(data.count) vs \(want["file_bytes"] ?? 0) bytes)")
            let written = try GGUFFile(url: out)
            for (info, row) in zip(written.tensors, want["tensors"] as? [[String]] ?? []) {
                let mine = [info.name, info.type.name, Self.fnv1a64(written.bytes(of: info))]
                if mine != row { Issue.record("\(name): tensor \(mine) vs llama-quantize \(row)") }
            }
        }
    }

    @Test func loaderOrderSortsByLayerNumberThenName() {
        let names = ["blk.10.attn_q.weight", "output.weight", "blk.2.ffn_up.weight", "blk.2.attn_k.weight", "token_embd.weight"]
        let infos = names.map { GGUFTensorInfo(name: $0, dimensions: [32], type: .f32, offset: 0, elementCount: 32, byteCount: 128, fileRange: 0..<128) }
        #expect(GGUFRequantizer.order(infos).map(\.name) == ["output.weight", "token_embd.weight", "blk.2.attn_k.weight", "blk.2.ffn_up.weight", "blk.10.attn_q.weight"])
    }

    @Test func mixtureRules() throws {
        let model = LlamaQuantMixture.Model(architecture: "llama", blockCount: 8, headCount: 4, headCountKV: 1)
        #expect(LlamaQuantMixture.useMoreBits(0, 8) && LlamaQuantMixture.useMoreBits(7, 8) && LlamaQuantMixture.useMoreBits(3, 8))
        #expect(!LlamaQuantMixture.useMoreBits(1, 8) && !LlamaQuantMixture.useMoreBits(2, 8))
        let m = try LlamaQuantMixture(fileType: .q4_K_M, model: model)
        let types = m.targetTypes([
            .init(name: "token_embd.weight", dimensions: [256, 64], type: .f32),      // tied: output treatment
            .init(name: "blk.0.attn_v.weight", dimensions: [256, 32], type: .f32),
            .init(name: "blk.0.attn_norm.weight", dimensions: [256], type: .f32),
            .init(name: "blk.0.ffn_down.weight", dimensions: [96, 256], type: .f32),  // Q6_K → fallback Q8_0
            .init(name: "blk.0.attn_q.weight", dimensions: [576, 64], type: .f32),    // Q4_K → fallback Q5_0
            .init(name: "blk.0.attn_k.weight", dimensions: [40, 64], type: .f32),     // → F16
        ])
        #expect(types == [.q6_K, .q6_K, .f32, .q8_0, .q5_0, .f16])
        #expect(throws: FormatError.self) { try LlamaQuantMixture(fileType: .q4_K_M, model: .init(architecture: "falcon", blockCount: 1, headCount: 1, headCountKV: 1)) }
    }

    @Test func fileTypeNamesAsLlamaQuantizeMatchesThem() {
        #expect(LlamaFileType(name: "Q4_K_M") == .q4_K_M)
        #expect(LlamaFileType(name: "q4_k") == .q4_K_M)
        #expect(LlamaFileType(name: "IQ4_XS")?.rawValue == 30)
        #expect(LlamaFileType(name: "iq2_xxs") == nil)
        #expect(LlamaFileType(name: "q4_k_x") == nil)
    }
}
