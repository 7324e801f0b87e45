import Foundation

/// Any weight artifact `convert` can read — a safetensors file, a sharded or Hugging Face
/// folder, or a GGUF file — seen as one ordered list of tensors with raw and f32 access.
public final class ConversionInput {
    /// Where one tensor's bytes live and how they are encoded.
    public enum Encoding: Sendable, Equatable {
        case safetensors(DType)
        case gguf(GGMLType)
    }

    public struct Tensor: Sendable, Equatable {
        public let name: String
        public let shape: [Int]
        public let encoding: Encoding
        let record: TensorRecord?
        let ggufInfo: GGUFTensorInfo?
        /// The shard of a split GGUF holding it.
        var ggufShard = 0

        public var elementCount: Int { shape.reduce(1, *) }
        /// Whether the values are real numbers Temper can convert (floats and ggml float/quant types).
        public var isFloating: Bool {
            switch encoding {
            case let .safetensors(d): return d.isFloatingPoint
            case let .gguf(t): return GGMLDequantize.supportedTypes.contains(t)
            }
        }
    }

    public let url: URL
    /// The folder holding config.json, tokenizer files and provenance (nil for a lone file).
    public let folder: URL?
    public let checkpoint: Checkpoint?
    /// A GGUF input's first (or only) file; `ggufShards` has all of a split model's shards.
    public let gguf: GGUFFile?
    public let ggufShards: [GGUFFile]
    public let tensors: [Tensor]

    public init(url: URL) throws {
        self.url = url
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else { throw FormatError.notFound(path: url.path) }
        if try GGUFFile.hasMagic(url) {
            let file = try GGUFFile(url: url)
            gguf = file; checkpoint = nil; folder = nil
            ggufShards = try GGUFSplit.shards(of: file)
            tensors = ggufShards.enumerated().flatMap { shard, f in
                f.tensors.map { Tensor(name: $0.name, shape: $0.shape, encoding: .gguf($0.type), record: nil, ggufInfo: $0, ggufShard: shard) }
            }
        } else {
            let ckpt = try Checkpoint.open(url)
            checkpoint = ckpt; gguf = nil; ggufShards = []
            folder = isFolder.boolValue ? ckpt.root : nil
            tensors = ckpt.tensors.map { Tensor(name: $0.name, shape: $0.shape, encoding: .safetensors($0.dtype), record: $0, ggufInfo: nil) }
        }
    }

    /// The tensor's bytes as stored, zero-copy.
    public func rawBytes(_ tensor: Tensor) throws -> UnsafeRawBufferPointer {
        if let record = tensor.record, let checkpoint { return try checkpoint.bytes(of: record) }
        if let info = tensor.ggufInfo, ggufShards.indices.contains(tensor.ggufShard) { return ggufShards[tensor.ggufShard].bytes(of: info) }
        throw FormatError.unsupportedInput(path: url.path, reason: "tensor '\(tensor.name)' has no data source")
    }

    /// The tensor's values as row-major f32 (GGUF block types dequantized as gguf-py does).
    /// The new buffer (4 bytes per element) is checked against `MemoryBudget` first.
    public func floats(_ tensor: Tensor) throws -> [Float] {
        try requireFloatBuffer(tensor, count: CheckedMath.elementCount(tensor.shape))
        if let record = tensor.record, record.dtype == .f32, let file = checkpoint?.file(named: record.file)?.mapped {
            let n = try f32Count(record)
            return try [Float](unsafeUninitializedCapacity: n) { buffer, initialized in
                if let base = buffer.baseAddress { try file.read(into: base, offset: record.fileRange.lowerBound, count: 4 * n) }
                initialized = n
            }
        }
        let raw = try rawBytes(tensor)
        switch tensor.encoding {
        case let .safetensors(dtype):
            guard HalfPrecision.readableTypes.contains(dtype) else {
                throw FormatError.unsupportedConversion(tensor: tensor.name, from: dtype.rawValue, to: "F32")
            }
            return try HalfPrecision.toFloat32(raw, dtype: dtype, tensor: tensor.name)
        case let .gguf(type):
            return try GGMLDequantize.decode(raw, as: type, count: tensor.elementCount, tensor: tensor.name, path: url.path)
        }
    }

    /// Calls `body` with the tensor's f32 values held in `scratch`, which is grown as needed and
    /// kept for the next tensor (no allocation and no page faults per tensor). An F32 safetensors
    /// tensor is read with pread straight into it (no per-element loop, no faulting of the
    /// mapping); F16/BF16/F8 are decoded into it; GGUF block types are dequantized.
    public func withFloats<R>(_ tensor: Tensor, scratch: inout [Float], _ body: (UnsafeBufferPointer<Float>) throws -> R) throws -> R {
        guard case let .safetensors(dtype) = tensor.encoding, let record = tensor.record else {
            return try floats(tensor).withUnsafeBufferPointer(body)
        }
        guard HalfPrecision.readableTypes.contains(dtype) else {
            throw FormatError.unsupportedConversion(tensor: tensor.name, from: dtype.rawValue, to: "F32")
        }
        let n = dtype == .f32 ? try f32Count(record) : tensor.elementCount
        if dtype == .f32, let mapped = GGUFRequantizer.mappedFloats(try rawBytes(tensor), .f32), mapped.count == n {
            return try body(mapped)  // aligned little-endian F32 in the mapping: no copy at all
        }
        if scratch.count < n {
            try requireFloatBuffer(tensor, count: n)
            scratch = [Float](repeating: 0, count: n)
        }
        return try scratch.withUnsafeMutableBufferPointer { all in
            let out = UnsafeMutableBufferPointer(rebasing: all[0..<n])
            if dtype == .f32, let file = checkpoint?.file(named: record.file)?.mapped, let base = out.baseAddress {
                try file.read(into: base, offset: record.fileRange.lowerBound, count: 4 * n)
            } else {
                try HalfPrecision.toFloat32(try rawBytes(tensor), dtype: dtype, into: out, tensor: tensor.name)
            }
            return try body(UnsafeBufferPointer(out))
        }
    }

    /// Refuses, before a conversion loop that decodes each of `tensors` to f32 in turn, the
    /// largest one's buffer when it does not fit (`MemoryBudget.requireLargestF32`).
    func requireLargestFloatBuffer(_ tensors: [Tensor]) throws {
        try MemoryBudget.requireLargestF32(tensors.map { ($0.name, $0.shape) }, for: Self.floatBufferUse, path: url.path)
    }

    static let floatBufferUse = "the tensor's f32 buffer for conversion"

    /// Refuses (`insufficientMemory`) an f32 buffer of `count` elements (nil: overflowed)
    /// that does not fit in the memory available.
    private func requireFloatBuffer(_ tensor: Tensor, count: Int?) throws {
        try MemoryBudget.require(count.flatMap(MemoryBudget.f32Bytes), for: Self.floatBufferUse,
                                 path: url.path, tensor: tensor.name)
    }

    /// The element count of an F32 record, checked against its byte range.
    private func f32Count(_ record: TensorRecord) throws -> Int {
        let bytes = record.fileRange.upperBound - record.fileRange.lowerBound
        guard bytes % 4 == 0, let n = Int(exactly: bytes / 4), UInt64(record.elementCount) == bytes / 4 else {
            throw FormatError.byteLengthMismatch(path: url.path, tensor: record.name, shape: record.shape, dtype: "F32",
                                                 expected: UInt64(record.elementCount) &* 4, actual: bytes)
        }
        return n
    }

    /// The Hugging Face config.json of the input folder, if any.
    public var configJSON: Data? { get throws { try sideFile("config.json") } }
    /// The tokenizer.json of the input folder, if any.
    public var tokenizerJSON: Data? { get throws { try sideFile("tokenizer.json") } }
    public var modelType: String? { checkpoint?.config?.modelType }

    private func sideFile(_ name: String) throws -> Data? {
        guard let folder else { return nil }
        let url = folder.appendingPathComponent(name)
        do { return try RegularFile.read(url, limit: 1 << 30) } catch { if case .notFound = error { return nil }; throw error }
    }

    /// Plain files of the input folder that belong with converted weights (config, tokenizer,
    /// provenance, …): everything except weight files, indexes, manifests and signatures.
    public func companionFiles() throws -> [URL] {
        guard let folder else { return [] }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() } catch {
            throw FormatError.io(path: folder.path, reason: "cannot list folder: \(error.localizedDescription)")
        }
        let weightSuffixes = [".safetensors", ".safetensors.index.json", ".gguf", ".bin", ".pt", ".pth", ".sig"]
        let skipped: Set<String> = ["temper.manifest.json", "model.sig"]
        return try names.compactMap { name in
            guard !name.hasPrefix("."), !skipped.contains(name), !weightSuffixes.contains(where: { name.hasSuffix($0) }) else { return nil }
            let url = folder.appendingPathComponent(name)
            // Symlinks are followed only inside the folder (the cache repository for a snapshot).
            try HubCache.checkLink(url.path, folder: folder.path)
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), !isDir.boolValue else { return nil }
            return url
        }
    }
}
