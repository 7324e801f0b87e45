import Foundation

/// GGUF → GGUF in a `llama-quantize` file type, laid out as `llama-quantize` lays it out
/// (llama-quant.cpp `llama_model_quantize_impl`): the input's metadata in order without
/// `general.quantization_version` / `general.file_type` / `split.*`, then those two set
/// (2 and the file type); tensors in the loader's order (layer number, then name); each
/// tensor's type from `LlamaQuantMixture`; a tensor already of its target type is copied.
public enum GGUFRequantizer {
    public typealias Progress = CheckpointConverter.Progress

    /// ggml `GGML_QNT_VERSION`.
    public static let quantizationVersion: UInt32 = 2
    static let replacedKeys: Set<String> = ["general.quantization_version", "general.file_type",
                                            "split.no", "split.count", "split.tensors.count"]

    /// `llama_model_loader::weights_map` order: by the number after `blk.` (−1 when there is
    /// none, so global tensors come first), then by name, bytewise.
    public static func order(_ tensors: [GGUFTensorInfo]) -> [GGUFTensorInfo] {
        tensors.map { (layer(of: $0.name), Array($0.name.utf8), $0) }
            .sorted { a, b in a.0 != b.0 ? a.0 < b.0 : a.1.lexicographicallyPrecedes(b.1) }
            .map(\.2)
    }

    /// What `sscanf(name, "blk.%d.", &layer)` stores: the (optionally signed) integer after `blk.`.
    static func layer(of name: String) -> Int {
        guard name.hasPrefix("blk.") else { return -1 }
        var rest = Substring(name.dropFirst(4))
        rest = rest.drop { $0 == " " }
        var sign = 1
        if let c = rest.first, c == "-" || c == "+" { sign = c == "-" ? -1 : 1; rest = rest.dropFirst() }
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let v = Int32(digits) else { return -1 }
        return sign * Int(v)
    }

    /// An F32 tensor's values read in place from the mapping (GGUF is little-endian and its
    /// data offsets are aligned), so large inputs are not copied before quantization.
    static func mappedFloats(_ raw: UnsafeRawBufferPointer, _ type: GGMLType) -> UnsafeBufferPointer<Float>? {
        #if _endian(little)
        guard type == .f32, let base = raw.baseAddress, Int(bitPattern: base) % MemoryLayout<Float>.alignment == 0 else { return nil }
        return UnsafeBufferPointer(start: base.assumingMemoryBound(to: Float.self), count: raw.count / 4)
        #else
        return nil
        #endif
    }

    /// Whether `file` is a model GGUF whose mixture rules are written out here.
    public static func supports(_ file: GGUFFile) -> Bool {
        do {
            let m = try model(of: file)
            return LlamaQuantMixture.architectures.contains(m.architecture) && m.expertCount <= 1
        } catch {
            return false   // no architecture or hyperparameters: not a model GGUF
        }
    }

    /// The model hyperparameters the mixture needs, read from `ARCH.*` keys.
    public static func model(of file: GGUFFile) throws -> LlamaQuantMixture.Model {
        guard case let .string(arch)? = file.value(forKey: "general.architecture") else {
            throw FormatError.unsupportedInput(path: file.path, reason: "no general.architecture; llama-quantize mixtures need a llama.cpp model GGUF")
        }
        func int(_ key: String, required: Bool) throws -> Int {
            switch file.value(forKey: "\(arch).\(key)") {
            case let .uint32(v)?: return Int(v)
            case let .int32(v)? where v >= 0: return Int(v)
            case let .uint64(v)? where v <= UInt64(Int32.max): return Int(v)
            case nil where !required: return 0
            default: throw FormatError.unsupportedInput(path: file.path, reason: "\(arch).\(key) is missing or not a non-negative integer")
            }
        }
        return LlamaQuantMixture.Model(architecture: arch, blockCount: try int("block_count", required: true),
                                       headCount: try int("attention.head_count", required: true),
                                       headCountKV: try file.value(forKey: "\(arch).attention.head_count_kv") == nil
                                           ? int("attention.head_count", required: true) : int("attention.head_count_kv", required: true),
                                       expertCount: try int("expert_count", required: false))
    }

    /// The tensors to write, in order, with their target types.
    public static func plan(_ file: GGUFFile, fileType: LlamaFileType) throws -> [(info: GGUFTensorInfo, type: GGMLType)] {
        let mixture = try LlamaQuantMixture(fileType: fileType, model: try model(of: file))
        let ordered = order(file.tensors)
        let types = mixture.targetTypes(ordered.map {
            LlamaQuantMixture.Tensor(name: $0.name, dimensions: $0.dimensions.map { Int(truncatingIfNeeded: $0) }, type: $0.type)
        })
        return Array(zip(ordered, types))
    }

    /// Writes `input` (a GGUF) to `output` in `fileType`. `floats` yields a tensor's values as
    /// f32 (the caller's dequantizer); it is asked only for tensors whose type changes.
    public static func requantize(_ file: GGUFFile, to output: URL, fileType: LlamaFileType,
                                  floats: (GGUFTensorInfo) throws -> [Float], progress: Progress = { _, _, _ in }) throws -> ConversionSummary {
        let planned = try plan(file, fileType: fileType)
        var kv = file.metadata.filter { !replacedKeys.contains($0.key) }
        kv.append(GGUFKeyValue("general.quantization_version", .uint32(quantizationVersion)))
        kv.append(GGUFKeyValue("general.file_type", .uint32(fileType.rawValue)))
        let writer = GGUFWriter(url: output)
        var written: UInt64 = 0
        do {
            try writer.writeHeader(metadata: kv, tensorCount: planned.count)
            try writer.writeTensorInfos(planned.map { GGUFTensorSpec(name: $0.info.name, shape: $0.info.shape, type: $0.type) })
            for (i, p) in planned.enumerated() {
                progress(i, planned.count, p.info.name)
                if p.type == p.info.type {
                    try file.withBytes(of: p.info) { try writer.writeTensorData($0) }
                    written += p.info.byteCount
                } else {
                    let row = max(Int(truncatingIfNeeded: p.info.dimensions.first ?? 1), 1)
                    let bytes = try file.withBytes(of: p.info) { raw -> [UInt8] in
                        if let mapped = mappedFloats(raw, p.info.type) {
                            return try Quantize.encode(mapped, as: p.type, rowLength: row, tensor: p.info.name)
                        }
                        return try Quantize.encode(try floats(p.info), as: p.type, rowLength: row, tensor: p.info.name)
                    }
                    try writer.writeTensorData(bytes)
                    written += UInt64(bytes.count)
                }
            }
            progress(planned.count, planned.count, "")
            try writer.finish()
        } catch {
            writer.abandon()
            throw error
        }
        return ConversionSummary(output: output.path, format: "gguf", files: [output.lastPathComponent], tensors: planned.count,
                                 bytesWritten: written, ggufArchitecture: try model(of: file).architecture)
    }
}
