import Foundation
import Testing
@testable import TemperFormats

@Suite struct CheckpointConverterTests {
    static let llama = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/tiny-llama")

    @Test func everyConversionDTypeHasALlamaOutputType() {
        for dtype in ConversionDType.allCases { #expect(LlamaGGUFOutputType(rawValue: dtype.rawValue) != nil) }
    }

    @Test func f16RoundTripThroughGGUFKeepsEveryValue() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("conv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try ConversionInput(url: Self.llama.appendingPathComponent("model.safetensors"))
        let f16 = dir.appendingPathComponent("m.f16.safetensors"), gguf = dir.appendingPathComponent("m.gguf")
        _ = try CheckpointConverter.convert(source, to: f16, options: ConversionOptions(target: .safetensors, dtype: .f16))
        // Plain safetensors → GGUF keeps names; F16 data passes through unchanged.
        _ = try CheckpointConverter.convert(try ConversionInput(url: f16), to: gguf, options: ConversionOptions(target: .gguf))
        let a = try ConversionInput(url: f16), b = try ConversionInput(url: gguf)
        #expect(a.tensors.map(\.name) == b.tensors.map(\.name))
        for (x, y) in zip(a.tensors, b.tensors) {
            #expect(x.shape == y.shape)
            #expect(Array(try a.rawBytes(x)) == Array(try b.rawBytes(y)), "\(x.name) changed")
        }
    }

    @Test func plainGGUFKeepsTheDTypeMeaningOfQ8_0AndRefusesAMixture() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("conv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let plain = dir.appendingPathComponent("plain.gguf"), q8 = dir.appendingPathComponent("q8.gguf")
        _ = try CheckpointConverter.convert(try ConversionInput(url: Self.llama.appendingPathComponent("model.safetensors")), to: plain,
                                            options: ConversionOptions(target: .gguf))
        // No general.architecture: q8_0 is Temper's dtype (convert_hf_to_gguf rules), not llama-quantize's Q8_0 file type.
        _ = try CheckpointConverter.convert(try ConversionInput(url: plain), to: q8,
                                            options: ConversionOptions(target: .gguf, dtype: .q8_0, fileType: .q8_0))
        #expect(try GGUFFile(url: q8).tensors.contains { $0.type == .q8_0 })
        let mixed = dir.appendingPathComponent("q4km.gguf")
        #expect(throws: FormatError.self) {
            try CheckpointConverter.convert(try ConversionInput(url: plain), to: mixed, options: ConversionOptions(target: .gguf, fileType: .q4_K_M))
        }
        #expect(!FileManager.default.fileExists(atPath: mixed.path))
    }

    @Test func renameOntoAnExistingNameIsRejected() throws {
        let source = try ConversionInput(url: Self.llama)
        #expect(throws: FormatError.self) {
            try CheckpointConverter.renamedTensors(source, ["lm_head.weight": "model.norm.weight"])
        }
        #expect(throws: FormatError.self) { try CheckpointConverter.renamedTensors(source, ["nope": "x"]) }
    }
}
