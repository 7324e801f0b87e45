import Foundation

/// `convert … --dtype q4_k_m`: a GGUF input is re-quantized as `llama-quantize` does
/// (`GGUFRequantizer`); a Hugging Face folder is first exported to an f32 GGUF beside the
/// output (as `convert_hf_to_gguf --outtype f32` would), which is then re-quantized and
/// removed — the two steps llama.cpp users run.
enum LlamaQuantizeConversion {
    static func convert(_ input: ConversionInput, to output: URL, fileType: LlamaFileType,
                        progress: @escaping CheckpointConverter.Progress) throws -> ConversionSummary {
        if let gguf = input.gguf {
            let byName = Dictionary(input.tensors.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            return try GGUFRequantizer.requantize(gguf, to: output, fileType: fileType, floats: { info in
                guard let tensor = byName[info.name] else { throw FormatError.writerState(expected: info.name, got: "no source") }
                return try input.floats(tensor)
            }, progress: progress)
        }
        // The f32 intermediate lives in a staging folder named as AtomicFolder names its own, so
        // a run killed here leaves a leftover the next write of OUTPUT recognises and removes.
        let folder = try AtomicFolder(url: output.deletingLastPathComponent().appendingPathComponent(output.lastPathComponent), replace: true)
        defer { folder.abandon() }
        let staging = folder.stagingURL.appendingPathComponent("f32.gguf")
        let f32: ConversionSummary
        do {
            f32 = try CheckpointConverter.convert(input, to: staging, options: ConversionOptions(target: .gguf, dtype: .f32), progress: progress)
        } catch let FormatError.io(_, reason) {
            // The intermediate has no name the user knows: report the output it was for.
            throw FormatError.io(path: output.path, reason: "writing the f32 intermediate: \(reason)")
        }
        guard f32.ggufArchitecture != nil else {
            throw FormatError.unsupportedInput(path: input.url.path, reason: "\(fileType.name) needs a model llama.cpp can load (a Hugging Face Llama folder or a model GGUF)")
        }
        let staged = try ConversionInput(url: staging)
        var summary = try convert(staged, to: output, fileType: fileType, progress: progress)
        summary.output = output.path
        return summary
    }
}
