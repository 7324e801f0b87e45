import Foundation
import TemperFormats

/// Where `WeightLoader` reads a model's tensors from: a safetensors checkpoint
/// (`CheckpointWeights`) or a llama.cpp GGUF read in place (`GGUFWeights`). Names are the
/// Hugging Face ones; `read` writes a tensor's values as f32 straight into the model's buffer.
protocol WeightSource: AnyObject {
    /// The file or folder errors name.
    var path: String { get }
    /// Every tensor's name, shape and dtype (as a saved folder would have it), in file order.
    var entries: [WeightEntry] { get }
    /// The entry called `name`, if any.
    func entry(named name: String) -> WeightEntry?
    /// The tensor's values as f32; `out.count` is its element count.
    func read(_ entry: WeightEntry, into out: UnsafeMutableBufferPointer<Float>) throws
    /// What saving the model back needs (names and dtypes of `parameterNames` in file order).
    func modelSource(parameterNames: [String]) -> ModelSource
}

/// One tensor a `WeightSource` offers.
struct WeightEntry {
    let name: String
    let shape: [Int]
    let dtype: DType
    /// The source's own index of the tensor.
    let index: Int

    /// Name → index of the first entry of that name (what `entry(named:)` looks up).
    static func indexByName(_ entries: [WeightEntry]) -> [String: Int] {
        var index: [String: Int] = [:]
        for e in entries where index[e.name] == nil { index[e.name] = e.index }
        return index
    }
}

/// A safetensors checkpoint (single file or shards). F32 tensors are copied with pread
/// (from the page cache, without faulting the file's pages into this process: a model's
/// mapped weights would otherwise count twice in its resident memory), F16/BF16 converted
/// from the mapping.
final class CheckpointWeights: WeightSource {
    let checkpoint: Checkpoint
    let entries: [WeightEntry]
    private let index: [String: Int]

    init(_ checkpoint: Checkpoint) {
        self.checkpoint = checkpoint
        entries = checkpoint.tensors.enumerated().map { WeightEntry(name: $1.name, shape: $1.shape, dtype: $1.dtype, index: $0) }
        index = WeightEntry.indexByName(entries)
    }

    var path: String { checkpoint.url.path }

    func entry(named name: String) -> WeightEntry? { index[name].map { entries[$0] } }

    func read(_ entry: WeightEntry, into out: UnsafeMutableBufferPointer<Float>) throws {
        let record = checkpoint.tensors[entry.index]
        if record.dtype == .f32, UInt64(out.count) * 4 == record.byteCount, let base = out.baseAddress {
            guard let file = checkpoint.file(named: record.file) else {
                throw FormatError.missingShard(path: checkpoint.root.path, shard: record.file)
            }
            try file.mapped.read(into: base, offset: record.fileRange.lowerBound, count: out.count * 4)
            return
        }
        try HalfPrecision.toFloat32(try checkpoint.bytes(of: record), dtype: record.dtype, into: out, tensor: record.name)
    }

    func modelSource(parameterNames: [String]) -> ModelSource {
        ModelSource(checkpoint: checkpoint, parameterNames: parameterNames)
    }
}
