import Foundation
import TemperFormats

/// A llama.cpp GGUF (Llama family, `GGUFHuggingFaceModel`'s mapping) read in place: each
/// tensor under its Hugging Face name, dequantized as gguf-py does (`GGMLDequantize`) and
/// with llama.cpp's Q/K row permutation undone, straight into the model's buffer. Nothing is
/// written but the small companion files (`ModelLocation`): no f32 copy of the weights on
/// disk, no second copy in memory. Tensor bytes are read with pread, so the file's pages stay
/// in the page cache instead of this process's resident memory; an F32 tensor is one read.
/// It reports every tensor as F32, the dtype the weights would be saved back as.
final class GGUFWeights: WeightSource {
    let url: URL
    /// The folder with config.json and the tokenizer files made from the GGUF.
    let folder: URL
    let entries: [WeightEntry]
    private let shards: [GGUFFile]
    private let files: [MappedFile]
    private let tensors: [GGUFHuggingFaceModel.Tensor]
    private let index: [String: Int]

    init(url: URL, folder: URL) throws {
        self.url = url
        self.folder = folder
        shards = try GGUFSplit.shards(of: try GGUFFile(url: url))
        tensors = try GGUFHuggingFaceModel(shards).tensors
        files = try shards.map { shard in
            let file = try MappedFile(url: URL(fileURLWithPath: shard.path))
            guard UInt64(file.size) == shard.fileSize else {
                throw ModelError.io(path: shard.path, reason: "the file changed while it was opened (\(shard.fileSize) then \(file.size) bytes)")
            }
            return file
        }
        entries = tensors.enumerated().map { WeightEntry(name: $1.hfName, shape: $1.info.shape, dtype: .f32, index: $0) }
        index = WeightEntry.indexByName(entries)
    }

    var path: String { url.path }

    func entry(named name: String) -> WeightEntry? { index[name].map { entries[$0] } }

    func read(_ entry: WeightEntry, into out: UnsafeMutableBufferPointer<Float>) throws {
        let t = tensors[entry.index], info = t.info, file = files[t.shard]
        guard UInt64(out.count) == info.elementCount, let base = out.baseAddress else {
            throw ModelError.shapeMismatch(path: path, tensor: t.hfName, expected: info.shape, actual: [out.count])
        }
        guard let count = Int(exactly: info.byteCount) else {
            throw ModelError.io(path: path, reason: "tensor '\(info.name)': \(info.byteCount) bytes do not fit in memory")
        }
        if info.type == .f32, count == out.count * 4 {
            try file.read(into: base, offset: info.fileRange.lowerBound, count: count)
        } else {
            var raw = [UInt8](repeating: 0, count: count)
            try raw.withUnsafeMutableBytes { bytes in
                if let p = bytes.baseAddress { try file.read(into: p, offset: info.fileRange.lowerBound, count: count) }
            }
            try raw.withUnsafeBytes { try GGMLDequantize.decode($0, as: info.type, into: out, tensor: info.name, path: path) }
        }
        if let heads = t.unpermuteHeads {
            try LlamaGGUFMapping.unpermuteQK(out, rows: info.shape.first ?? 0, cols: info.shape.dropFirst().reduce(1, *),
                                             heads: heads, tensor: info.name)
        }
    }

    /// Saved back as the folder `GGUFHuggingFaceExport` would have written: one f32
    /// model.safetensors with `format: pt`, beside the companion files of `folder`.
    func modelSource(parameterNames: [String]) -> ModelSource {
        let wanted = Set(parameterNames)
        return ModelSource(url: folder, folder: folder, tensors: entries.filter { wanted.contains($0.name) }.map { ($0.name, $0.dtype) },
                           metadata: [("format", "pt")], fileName: GGUFHuggingFaceExport.weightsFile)
    }
}
