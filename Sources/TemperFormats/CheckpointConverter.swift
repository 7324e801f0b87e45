import Foundation

/// The element type a conversion writes floating-point tensors as.
public enum ConversionDType: String, CaseIterable, Sendable {
    case f32, f16, bf16, q8_0, q4_0

    var safetensorsDType: DType? {
        switch self {
        case .f32: return .f32
        case .f16: return .f16
        case .bf16: return .bf16
        case .q8_0, .q4_0: return nil
        }
    }

    /// Whether only GGUF can hold it (the block types).
    public var isGGUFOnly: Bool { safetensorsDType == nil }

    /// The same names as LlamaGGUFOutputType's raw values.
    var llamaOutputType: LlamaGGUFOutputType { LlamaGGUFOutputType(rawValue: rawValue) ?? .f16 }
}

public enum ConversionTarget: String, CaseIterable, Sendable { case safetensors, gguf }

public struct ConversionOptions: Sendable {
    public var target: ConversionTarget
    /// nil keeps each tensor's dtype (GGUF → safetensors dequantizes quantized tensors to F32).
    public var dtype: ConversionDType?
    /// Splits safetensors output into shards of at most this many tensor bytes.
    public var shardSize: UInt64?
    /// Old name → new name; names not listed are kept.
    public var renames: [String: String]
    /// A `llama-quantize` file type (`q4_k_m`, …): GGUF inputs are re-quantized as
    /// `llama-quantize` does; other inputs are exported in f32 first, then re-quantized.
    /// When `dtype` is also set, non-GGUF inputs use `dtype` (convert_hf_to_gguf's meaning).
    public var fileType: LlamaFileType?
    /// GGUF output as `llama-gguf-split --split` shards (`GGUFSplitWriter`); `replaceShards`
    /// lets existing shard files be replaced.
    public var split: GGUFSplitLimit?
    public var replaceShards = false

    public init(target: ConversionTarget, dtype: ConversionDType? = nil, shardSize: UInt64? = nil, renames: [String: String] = [:],
                fileType: LlamaFileType? = nil) {
        self.target = target; self.dtype = dtype; self.shardSize = shardSize; self.renames = renames; self.fileType = fileType
    }
}

/// What a conversion wrote.
public struct ConversionSummary: Sendable, Equatable, Encodable {
    public var output: String
    public var format: String
    public var files: [String]
    public var tensors: Int
    public var bytesWritten: UInt64
    /// "llama" when the Hugging Face Llama → llama.cpp mapping was applied.
    public var ggufArchitecture: String?
}

/// Streams a checkpoint into another format or dtype, one tensor in memory at a time.
/// Folder outputs are written by the caller into a staging folder (see `StagedFolder`).
public enum CheckpointConverter {
    public typealias Progress = (_ done: Int, _ total: Int, _ tensor: String) -> Void

    /// Converts `input` to `output` (a .safetensors or .gguf file, or a folder for
    /// safetensors with companions; from a GGUF, a Hugging Face folder); a file `output`
    /// must not exist yet, a folder `output` must be an empty staging folder.
    public static func convert(_ input: ConversionInput, to output: URL, options: ConversionOptions,
                               progress: @escaping Progress = { _, _, _ in }) throws -> ConversionSummary {
        if let split = options.split { return try convertSplit(input, to: output, limit: split, options: options, progress: progress) }
        if options.target == .safetensors, let gguf = input.gguf, output.pathExtension != "safetensors" {
            // A folder from a GGUF is a Hugging Face model folder (names, config, tokenizer).
            guard options.renames.isEmpty, options.shardSize == nil else {
                throw FormatError.unsupportedInput(path: output.path, reason: "--rename and --shard-size do not apply to GGUF → Hugging Face folder output")
            }
            guard let dtype = options.dtype?.safetensorsDType ?? (options.dtype == nil ? .f32 : nil) else {
                throw FormatError.unsupportedInput(path: output.path, reason: "a Hugging Face folder takes --dtype f32, f16 or bf16")
            }
            return try GGUFHuggingFaceExport.write(gguf, to: output, dtype: dtype, progress: progress)
        }
        // A llama-quantize name re-quantizes a model GGUF as llama-quantize does; the names that
        // are also Temper dtypes (f32 f16 bf16 q8_0 q4_0) keep their plain meaning elsewhere.
        let modelGGUF = input.gguf.map(GGUFRequantizer.supports) ?? false
        if let fileType = options.fileType, options.target == .gguf, options.dtype == nil || modelGGUF {
            guard options.renames.isEmpty, options.shardSize == nil else {
                throw FormatError.unsupportedInput(path: output.path, reason: "--rename and --shard-size do not combine with a llama-quantize file type")
            }
            return try LlamaQuantizeConversion.convert(input, to: output, fileType: fileType, progress: progress)
        }
        if options.dtype == nil, let fileType = options.fileType {
            throw FormatError.unsupportedInput(path: output.path, reason: "\(fileType.name) is a llama-quantize file type; write a .gguf file")
        }
        let renamed = try renamedTensors(input, options.renames)
        switch options.target {
        case .safetensors:
            return try writeSafetensors(input, renamed, to: output, options: options, progress: progress)
        case .gguf:
            return try writeGGUF(input, renamed, to: output, options: options, progress: progress)
        }
    }

    /// Applies the rename map; a rename onto an existing name or an unknown source is an error.
    static func renamedTensors(_ input: ConversionInput, _ renames: [String: String]) throws -> [(name: String, tensor: ConversionInput.Tensor)] {
        let known = Set(input.tensors.map(\.name))
        for old in renames.keys.sorted() where !known.contains(old) {
            throw FormatError.unsupportedInput(path: input.url.path, reason: "rename map names tensor '\(old)', which the input does not have")
        }
        var seen = Set<String>()
        return try input.tensors.map { tensor in
            let name = renames[tensor.name] ?? tensor.name
            guard seen.insert(name).inserted else { throw FormatError.duplicateTensor(path: input.url.path, tensor: name) }
            return (name, tensor)
        }
    }

    // MARK: safetensors

    static func outputDType(_ tensor: ConversionInput.Tensor, _ wanted: ConversionDType?) throws -> DType {
        switch tensor.encoding {
        case let .safetensors(dtype):
            guard let target = wanted?.safetensorsDType, dtype.isFloatingPoint else { return dtype }
            return target
        case let .gguf(type):
            if let target = wanted?.safetensorsDType, tensor.isFloating { return target }
            if let plain = type.dtype { return plain }
            guard tensor.isFloating else {
                throw FormatError.unsupportedConversion(tensor: tensor.name, from: type.name, to: "safetensors")
            }
            return .f32
        }
    }

    static func writeSafetensors(_ input: ConversionInput, _ tensors: [(name: String, tensor: ConversionInput.Tensor)],
                                 to output: URL, options: ConversionOptions, progress: Progress) throws -> ConversionSummary {
        if let dtype = options.dtype, dtype.safetensorsDType == nil {
            throw FormatError.unsupportedInput(path: output.path, reason: "\(dtype.rawValue) is a GGUF block type; use --to gguf")
        }
        let specs = try tensors.map { TensorSpec(name: $0.name, dtype: try outputDType($0.tensor, options.dtype), shape: $0.tensor.shape) }
        let byName = Dictionary(uniqueKeysWithValues: zip(specs.map(\.name), tensors.map(\.tensor)))
        let singleFile = output.pathExtension == "safetensors"
        let metadata = input.checkpoint?.metadata
        let sink: TensorSink
        var files: [String]
        if singleFile {
            if options.shardSize != nil {
                throw FormatError.unsupportedInput(path: output.path, reason: "--shard-size needs a folder output, not a .safetensors file")
            }
            let writer: SafetensorsWriter
            if let file = input.checkpoint?.files.first as? SafetensorsFile, input.checkpoint?.files.count == 1,
               isIdentity(specs, tensors) {
                writer = try SafetensorsWriter(url: output, preservingHeaderOf: file)  // byte-identical rewrite
            } else {
                writer = try SafetensorsWriter(url: output, tensors: specs, metadata: metadata.flatMap { $0.isEmpty ? nil : $0 }, order: .asGiven)
            }
            sink = .single(writer)
            files = [output.lastPathComponent]
        } else {
            let limit = options.shardSize ?? UInt64.max
            let writer = try ShardedCheckpointWriter(folder: output, tensors: specs, maxShardBytes: limit,
                                                     shardMetadata: [("format", "pt")], order: .asGiven)
            sink = .sharded(writer)
            files = writer.shardNames + (writer.indexBytes == nil ? [] : [ShardedCheckpoint.indexFileName])
        }
        let decoded = zip(specs, tensors).filter { spec, pair in pair.tensor.encoding != .safetensors(spec.dtype) }
        try input.requireLargestFloatBuffer(decoded.map(\.1.tensor))
        var written: UInt64 = 0
        do {
            let order = sink.expectedOrder
            for (i, spec) in order.enumerated() {
                guard let source = byName[spec.name] else { throw FormatError.writerState(expected: spec.name, got: "no source") }
                progress(i, order.count, spec.name)
                let raw = try input.rawBytes(source)
                if case let .safetensors(dtype) = source.encoding, dtype == spec.dtype {
                    try sink.append(spec.name, raw)
                    written += UInt64(raw.count)
                } else {
                    var values = try input.floats(source)
                    let bytes = try values.withUnsafeMutableBufferPointer {
                        try HalfPrecision.fromFloat32(UnsafeBufferPointer($0), to: spec.dtype, tensor: spec.name)
                    }
                    values = []
                    try bytes.withUnsafeBytes { try sink.append(spec.name, $0) }
                    written += UInt64(bytes.count)
                }
            }
            progress(order.count, order.count, "")
            try sink.finish()
        } catch {
            sink.abandon()
            throw error
        }
        return ConversionSummary(output: output.path, format: "safetensors", files: files, tensors: specs.count,
                                 bytesWritten: written, ggufArchitecture: nil)
    }

    /// True when nothing about the tensors changes, so the original header can be kept.
    static func isIdentity(_ specs: [TensorSpec], _ tensors: [(name: String, tensor: ConversionInput.Tensor)]) -> Bool {
        zip(specs, tensors).allSatisfy { spec, pair in
            spec.name == pair.tensor.name && pair.tensor.encoding == .safetensors(spec.dtype)
        }
    }

    // MARK: GGUF

    static func writeGGUF(_ input: ConversionInput, _ tensors: [(name: String, tensor: ConversionInput.Tensor)],
                          to output: URL, options: ConversionOptions, progress: @escaping Progress) throws -> ConversionSummary {
        guard options.shardSize == nil else {
            throw FormatError.unsupportedInput(path: output.path, reason: "--shard-size applies to safetensors output only")
        }
        let dtype = options.dtype ?? .f16  // convert_hf_to_gguf's default output type
        var done = 0
        if let modelType = input.modelType, ["llama", "mistral", "qwen2"].contains(modelType), let configJSON = try input.configJSON {
            guard let tokenizer = try input.tokenizerJSON else {
                throw FormatError.unsupportedInput(path: input.url.path, reason: "a Llama GGUF needs tokenizer.json beside config.json")
            }
            let name = input.url.lastPathComponent
            let config = try LlamaGGUFConfig.decode(configJSON: configJSON, name: name, path: input.url.appendingPathComponent("config.json").path)
            let total = tensors.count
            let ordered = LlamaGGUFExport.convertOrder(tensors) { ($0.tensor.record?.file ?? "", $0.tensor.name) }
            try input.requireLargestFloatBuffer(ordered.map(\.tensor))  // every tensor is read as f32
            let sources = ordered.map { pair in
                LlamaGGUFTensorSource(hfName: pair.name, shape: pair.tensor.shape) {
                    progress(done, total, pair.name); done += 1
                    return try input.floats(pair.tensor)
                }
            }
            let companions = try LlamaGGUFCompanions.read(folder: input.folder ?? input.url)
            let planned = try LlamaGGUFExport.write(to: output, tensors: sources, config: config, tokenizerJSON: tokenizer,
                                                    outputType: dtype.llamaOutputType, source: input.url.path, companions: companions)
            progress(total, total, "")
            let bytes = (try? FileManager.default.attributesOfItem(atPath: output.path)[.size] as? UInt64) ?? nil
            return ConversionSummary(output: output.path, format: "gguf", files: [output.lastPathComponent], tensors: planned.count,
                                     bytesWritten: bytes ?? 0, ggufArchitecture: config.architecture)
        }
        return try writeGenericGGUF(input, tensors, to: output, dtype: options.dtype, progress: progress)
    }

    /// Tensors under their own names, no architecture metadata (llama.cpp will not run it,
    /// but gguf readers and Temper read it back exactly).
    static func writeGenericGGUF(_ input: ConversionInput, _ tensors: [(name: String, tensor: ConversionInput.Tensor)],
                                 to output: URL, dtype: ConversionDType?, progress: Progress) throws -> ConversionSummary {
        let specs: [GGUFTensorSpec] = try tensors.map { pair in
            GGUFTensorSpec(name: pair.name, shape: pair.tensor.shape, type: try ggufType(pair.tensor, dtype))
        }
        var kv = [GGUFKeyValue("general.name", .string(input.url.deletingPathExtension().lastPathComponent))]
        for (key, value) in input.checkpoint?.metadata ?? [] { kv.append(GGUFKeyValue("safetensors.\(key)", .string(value))) }
        // Raw copies need no buffer, nor (mapped in place, when aligned) F32 tensors.
        try input.requireLargestFloatBuffer(zip(specs, tensors).compactMap { spec, pair in
            if case let .safetensors(d) = pair.tensor.encoding, d == spec.type.dtype || d == .f32 { return nil }
            return pair.tensor
        })
        let writer = GGUFWriter(url: output)
        var written: UInt64 = 0
        var scratch: [Float] = []  // one f32 buffer for every tensor in turn
        do {
            try writer.writeHeader(metadata: kv, tensorCount: specs.count)
            try writer.writeTensorInfos(specs)
            for (i, (spec, pair)) in zip(specs, tensors).enumerated() {
                progress(i, specs.count, spec.name)
                if case let .safetensors(d) = pair.tensor.encoding, d == spec.type.dtype {
                    let raw = try input.rawBytes(pair.tensor)
                    try writer.writeTensorData(raw); written += UInt64(raw.count)
                } else {
                    // Row pieces of ~64 MB: neither the f32 values nor the encoded bytes of a big
                    // tensor are ever held whole (mapped input pages are released as they go).
                    let rowLength = max(spec.shape.last ?? 1, 1)
                    try writer.writeTensorData(pieces: { sink in
                        try input.forEachFloatPiece(pair.tensor, rowLength: rowLength, scratch: &scratch) { piece in
                            let bytes = try Quantize.encode(piece, as: spec.type, rowLength: rowLength, tensor: spec.name)
                            try bytes.withUnsafeBytes { try sink($0) }
                            written += UInt64(bytes.count)
                        }
                    })
                }
            }
            progress(specs.count, specs.count, "")
            try writer.finish()
        } catch {
            writer.abandon()
            throw error
        }
        return ConversionSummary(output: output.path, format: "gguf", files: [output.lastPathComponent], tensors: specs.count,
                                 bytesWritten: written, ggufArchitecture: nil)
    }

    /// Block types need rows that are whole blocks; like convert_hf_to_gguf, 1-D tensors stay
    /// F32 and rows that are not multiples of 32 fall back to F16.
    static func ggufType(_ tensor: ConversionInput.Tensor, _ dtype: ConversionDType?) throws -> GGMLType {
        if case let .gguf(type) = tensor.encoding, dtype == nil { return type }
        if case let .safetensors(d) = tensor.encoding, !d.isFloatingPoint || dtype == nil {
            if let type = GGMLType.allCases.first(where: { $0.dtype == d && !$0.isBlockQuantized }) {
                return d == .f64 && dtype != nil ? .f32 : type
            }
            throw FormatError.unsupportedConversion(tensor: tensor.name, from: d.rawValue, to: "GGUF")
        }
        let wanted = dtype ?? .f32
        if tensor.shape.count <= 1 { return .f32 }
        let row = tensor.shape.last ?? 0
        switch wanted {
        case .q8_0: return row % Quantize.blockSize == 0 ? .q8_0 : .f16
        case .q4_0: return row % Quantize.blockSize == 0 ? .q4_0 : .f16
        case .f32: return .f32
        case .f16: return .f16
        case .bf16: return .bf16
        }
    }
}

/// A safetensors destination: one file or a sharded folder.
enum TensorSink {
    case single(SafetensorsWriter)
    case sharded(ShardedCheckpointWriter)

    var expectedOrder: [TensorSpec] {
        switch self {
        case let .single(w): return w.expectedOrder
        case let .sharded(w): return w.expectedOrder
        }
    }

    func append(_ name: String, _ bytes: UnsafeRawBufferPointer) throws {
        switch self {
        case let .single(w): try w.append(name, bytes)
        case let .sharded(w): try w.append(name, bytes)
        }
    }

    func finish() throws {
        switch self {
        case let .single(w): try w.finish()
        case let .sharded(w): try w.finish()
        }
    }

    func abandon() {
        switch self {
        case let .single(w): w.abandon()
        case let .sharded(w): w.abandon()
        }
    }
}
