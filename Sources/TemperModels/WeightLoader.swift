import Foundation
import TemperFormats
import TemperTensor

/// Strict loading: each layer asks for its own tensors by Hugging Face name and shape
/// (through a `WeightScope`); F32/F16/BF16 bytes (or a GGUF's tensors, dequantized) become
/// f32 tensors that require grad. A missing or mis-shaped tensor fails at once; `finish()`
/// fails when tensors were never asked for. Architectures list non-parameter buffers they
/// skip on purpose (as transformers' `_keys_to_ignore_on_load_unexpected`).
///
/// All tensors land in one `TensorArena` sized for the whole file, so every weight matrix is
/// on huge pages (what decoding, one pass over all weights per token, is bound by).
public final class WeightLoader {
    let source: any WeightSource
    private var used = Set<String>()
    private(set) var parameters: [ModelParameter] = []
    /// The `nn.Linear` modules loaded, in loading order (where LoRA adapters can attach).
    private(set) var linearModules: [LinearModule] = []
    /// Q8_0 copies of weights by name (from a Q8_0 GGUF) for the int8 inference path.
    let quantizedWeights: [String: Q8_0Matrix]
    /// Room for every tensor of the source; nil when its total overflows (then each tensor
    /// gets its own buffer).
    private let arena: TensorArena?

    public convenience init(checkpoint: Checkpoint) { self.init(source: CheckpointWeights(checkpoint), quantized: [:]) }

    init(source: any WeightSource, quantized: [String: Q8_0Matrix]) {
        self.source = source
        quantizedWeights = quantized
        let loadable = source.entries.filter { [.f32, .f16, .bf16].contains($0.dtype) }
        arena = TensorArena(elementCounts: loadable.map { CheckedMath.elementCount($0.shape) ?? Int.max })
    }

    /// The Q8_0 copy of `name` when there is one of this shape.
    func quantized(_ name: String, outputs: Int, inputs: Int) -> Q8_0Matrix? {
        quantizedWeights[name].flatMap { $0.outputs == outputs && $0.inputs == inputs ? $0 : nil }
    }

    public convenience init(url: URL) throws {
        self.init(checkpoint: try Checkpoint.open(url))
    }

    var path: String { source.path }

    /// Whether the checkpoint has a tensor of this name (for optional tensors and prefixes).
    public func contains(_ name: String) -> Bool { source.entry(named: name) != nil }

    /// The tensor `name`, checked against `shape`, as a new f32 parameter.
    func load(_ name: String, shape: [Int], layer: Int?, module: ModuleKind) throws -> Tensor {
        guard let entry = source.entry(named: name) else {
            throw ModelError.missingTensor(path: path, tensor: name, expectedShape: shape)
        }
        guard entry.shape == shape else {
            throw ModelError.shapeMismatch(path: path, tensor: name, expected: shape, actual: entry.shape)
        }
        guard [.f32, .f16, .bf16].contains(entry.dtype) else {
            throw ModelError.unsupportedDType(path: path, tensor: name, dtype: entry.dtype.rawValue)
        }
        guard !used.contains(name) else {
            throw ModelError.invalidInput(reason: "\(path): tensor '\(name)' was loaded twice (architecture bug)")
        }
        let fill = { (out: UnsafeMutableBufferPointer<Float>) in try self.source.read(entry, into: out) }
        let tensor: Tensor
        if let arena, let placed = try arena.tensor(shape, fill: fill) {
            tensor = placed
        } else {
            tensor = try Tensor.zeros(shape)
            try tensor.withUnsafeMutableBufferPointer(fill)
        }
        tensor.requiresGrad = true
        used.insert(name)
        parameters.append(ModelParameter(name: name, tensor: tensor, layer: layer, module: module, sourceDType: entry.dtype))
        return tensor
    }

    func register(_ module: LinearModule) { linearModules.append(module) }

    /// Refuses (`FormatError.insufficientMemory`, before any tensor is allocated) a
    /// checkpoint whose f32 weights would not fit in memory. Counts 4 bytes per element of
    /// every F32/F16/BF16 tensor `ignored` does not skip (pass `finish`'s rule): strict
    /// loading turns each of them into an f32 tensor or fails. Activations, gradients, Q8_0
    /// copies and the mapped file are not counted, so this is a lower bound.
    func requireMemory(ignoring ignored: (String) -> Bool) throws {
        var total: UInt64? = 0
        for record in source.entries where [.f32, .f16, .bf16].contains(record.dtype) && !ignored(record.name) {
            total = total.flatMap { sum in
                CheckedMath.elementCount(record.shape).flatMap(MemoryBudget.f32Bytes).flatMap { CheckedMath.sum(sum, $0) }
            }
        }
        try MemoryBudget.require(total, for: "the f32 weights of all tensors", path: path)
    }

    /// Throws `unexpectedTensors` for every tensor never loaded, except those `ignored`
    /// accepts. Returns what the model needs to be saved back the same way.
    func finish(ignoring ignored: (String) -> Bool = { _ in false }) throws -> ModelSource {
        let unused = source.entries.map(\.name).filter { !used.contains($0) && !ignored($0) }
        guard unused.isEmpty else { throw ModelError.unexpectedTensors(path: path, tensors: unused) }
        return source.modelSource(parameterNames: parameters.map(\.name))
    }

    /// A scope at the root of the checkpoint's names.
    public var root: WeightScope { WeightScope(loader: self, prefix: "", layer: nil, module: .embedding) }
}

/// A prefix of tensor names plus the layer and module the tensors under it belong to.
/// `scope("self_attn", module: .attention).tensor("q_proj.weight", …)` loads
/// `<prefix>.self_attn.q_proj.weight`.
public struct WeightScope {
    let loader: WeightLoader
    public let prefix: String
    public let layer: Int?
    public let module: ModuleKind

    func name(_ suffix: String) -> String { prefix.isEmpty ? suffix : "\(prefix).\(suffix)" }

    /// A child scope; `module` defaults to this scope's.
    public func scope(_ suffix: String, module: ModuleKind? = nil) -> WeightScope {
        WeightScope(loader: loader, prefix: name(suffix), layer: layer, module: module ?? self.module)
    }

    /// The scope of block `index` (e.g. `layers.3`): tensors under it belong to that layer.
    public func block(_ suffix: String, index: Int) -> WeightScope {
        WeightScope(loader: loader, prefix: name("\(suffix).\(index)"), layer: index, module: module)
    }

    /// The same prefix, attributed to another module.
    public func module(_ module: ModuleKind) -> WeightScope {
        WeightScope(loader: loader, prefix: prefix, layer: layer, module: module)
    }

    public func tensor(_ suffix: String, shape: [Int]) throws -> Tensor {
        try loader.load(name(suffix), shape: shape, layer: layer, module: module)
    }

    public func contains(_ suffix: String) -> Bool { loader.contains(name(suffix)) }
}

/// Where a model's weights came from, so it can be written back as the same kind of
/// folder: names in checkpoint order with their dtypes, file metadata, shard size.
public struct ModelSource: Sendable {
    /// The folder (or file) the model was loaded from.
    public let url: URL
    /// The folder holding config.json and tokenizer files.
    public let folder: URL
    public let format: CheckpointFormat
    /// Checkpoint tensor names (only those the model uses) in checkpoint order, with dtypes.
    public let tensors: [(name: String, dtype: DType)]
    /// The first file's `__metadata__` (transformers writes `format: pt`).
    public let metadata: [(key: String, value: String)]
    /// For sharded checkpoints: the largest shard's tensor bytes, used as the split limit.
    public let maxShardBytes: UInt64?
    /// For single files: the weight file's name (`model.safetensors`).
    public let fileName: String

    /// A source written as one `fileName` with `metadata` (what a GGUF read in place saves as).
    init(url: URL, folder: URL, tensors: [(name: String, dtype: DType)], metadata: [(key: String, value: String)], fileName: String) {
        self.url = url; self.folder = folder; format = .safetensors; self.tensors = tensors
        self.metadata = metadata; maxShardBytes = nil; self.fileName = fileName
    }

    init(checkpoint: Checkpoint, parameterNames: [String]) {
        url = checkpoint.url
        folder = checkpoint.root
        format = checkpoint.format
        let wanted = Set(parameterNames)
        tensors = checkpoint.tensors.filter { wanted.contains($0.name) }.map { ($0.name, $0.dtype) }
        metadata = checkpoint.metadata
        fileName = checkpoint.files.first?.url.lastPathComponent ?? "model.safetensors"
        if checkpoint.format == .shardedSafetensors {
            var perFile: [String: UInt64] = [:]
            for record in checkpoint.tensors { perFile[record.file, default: 0] += record.byteCount }
            maxShardBytes = perFile.values.max()
        } else {
            maxShardBytes = nil
        }
    }
}
