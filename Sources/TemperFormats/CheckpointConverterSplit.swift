import Foundation

extension CheckpointConverter {
    /// GGUF output as `llama-gguf-split --split` shards (`GGUFSplitWriter`): a GGUF input with
    /// no dtype or rename is cut as it is, like gguf-split; any other conversion is written
    /// whole to a hidden file beside `output` first, then cut.
    static func convertSplit(_ input: ConversionInput, to output: URL, limit split: GGUFSplitLimit, options: ConversionOptions,
                             progress: @escaping Progress) throws -> ConversionSummary {
        guard options.target == .gguf else {
            throw FormatError.unsupportedInput(path: output.path, reason: "--split-max-tensors / --split-max-size apply to GGUF output only")
        }
        let shards: [URL], summary: ConversionSummary
        if let gguf = input.gguf, options.dtype == nil, options.fileType == nil, options.renames.isEmpty {
            // A GGUF as it is, cut into shards: what `llama-gguf-split --split` does.
            guard input.ggufShards.count == 1 else {
                throw FormatError.unsupportedInput(path: input.url.path, reason: "already split into \(input.ggufShards.count) shards; merge it first (llama-gguf-split --merge)")
            }
            shards = try GGUFSplitWriter.write(gguf, to: output, limit: split, replace: options.replaceShards)
            summary = ConversionSummary(output: output.path, format: "gguf", files: [], tensors: gguf.tensors.count, bytesWritten: 0,
                                        ggufArchitecture: gguf.value(forKey: "general.architecture")?.stringValue)
        } else {
            var whole = options
            whole.split = nil
            (shards, summary) = try GGUFSplitWriter.writeThroughWhole(to: output, limit: split, replace: options.replaceShards) {
                try convert(input, to: $0, options: whole, progress: progress)
            }
        }
        var out = summary
        out.output = output.path
        out.files = shards.map(\.lastPathComponent)
        out.bytesWritten = try shards.reduce(0) { $0 + ((try FileManager.default.attributesOfItem(atPath: $1.path)[.size] as? UInt64) ?? 0) }
        return out
    }
}
