import Foundation

/// Writes a llama.cpp GGUF (Llama family) as a Hugging Face folder: config.json,
/// generation_config.json, model.safetensors (dequantized as gguf-py does, Q/K permutation
/// undone, in `dtype`), tokenizer.json and tokenizer_config.json rebuilt from
/// `tokenizer.ggml.*`. A GGUF without tensors (a vocabulary-only file) gives the two
/// tokenizer files alone. The caller provides an empty (staging) folder; one tensor is in
/// memory at a time. A split model (`gguf-split` shards) is read from its first shard.
public enum GGUFHuggingFaceExport {
    public static let weightsFile = "model.safetensors"

    /// Fails before anything is written when the model or tokenizer cannot be mapped.
    @discardableResult
    public static func write(_ file: GGUFFile, to folder: URL, dtype: DType = .f32,
                             progress: CheckpointConverter.Progress = { _, _, _ in }) throws -> ConversionSummary {
        guard HalfPrecision.writableTypes.contains(dtype) else {
            throw FormatError.unsupportedConversion(tensor: "", from: "GGUF", to: "Hugging Face \(dtype.rawValue) (f32, f16 or bf16)")
        }
        if file.tensors.isEmpty {
            // A vocabulary-only GGUF (llama.cpp `--vocab-only`, models/ggml-vocab-*.gguf).
            let files = try writeTokenizer(file, to: folder)
            return ConversionSummary(output: folder.path, format: "tokenizer", files: files, tensors: 0, bytesWritten: 0,
                                     ggufArchitecture: file.value(forKey: "general.architecture")?.stringValue)
        }
        let shards = try GGUFSplit.shards(of: file)
        let model = try GGUFHuggingFaceModel(shards)
        let companions = try companionFiles(file, model: model, dtype: dtype)
        let specs = model.tensors.map { TensorSpec(name: $0.hfName, dtype: dtype, shape: $0.info.shape) }
        try MemoryBudget.requireLargestF32(model.tensors.map { ($0.info.name, $0.info.shape) },
                                           for: "the f32 values of the dequantized tensor", path: file.path)
        let writer = try SafetensorsWriter(url: folder.appendingPathComponent(weightsFile), tensors: specs,
                                           metadata: [("format", "pt")], order: .asGiven)
        var written: UInt64 = 0
        do {
            for (i, t) in model.tensors.enumerated() {
                progress(i, model.tensors.count, t.hfName)
                let bytes = try tensorBytes(t, file: shards[t.shard], dtype: dtype)
                try writer.append(t.hfName, bytes)
                written += UInt64(bytes.count)
            }
            try writer.finish()
        } catch {
            writer.abandon()
            throw error
        }
        for (name, bytes) in companions { try AtomicFile.write(Data(bytes), to: folder.appendingPathComponent(name)) }
        progress(model.tensors.count, model.tensors.count, "")
        return ConversionSummary(output: folder.path, format: "safetensors", files: [weightsFile] + companions.map(\.0),
                                 tensors: model.tensors.count, bytesWritten: written, ggufArchitecture: model.architecture)
    }

    /// config.json, generation_config.json, tokenizer.json and tokenizer_config.json of the
    /// folder `write` makes (names and bytes), without reading any weights.
    public static func companionFiles(_ file: GGUFFile, model: GGUFHuggingFaceModel, dtype: DType = .f32) throws -> [(String, [UInt8])] {
        let tokenizer = try GGUFTokenizerJSON(file, maxLength: model.contextLength)
        return [
            ("config.json", model.configJSON(dtype: dtype)),
            ("generation_config.json", model.generationConfigJSON()),
            ("tokenizer.json", tokenizer.tokenizerJSON()),
            ("tokenizer_config.json", tokenizer.tokenizerConfigJSON()),
        ]
    }

    /// Only tokenizer.json and tokenizer_config.json (no weights are read); returns their names.
    @discardableResult
    public static func writeTokenizer(_ file: GGUFFile, to folder: URL) throws -> [String] {
        let length = file.value(forKey: "\(file.value(forKey: "general.architecture")?.stringValue ?? "").context_length")?.integerValue
        let tokenizer = try GGUFTokenizerJSON(file, maxLength: length.flatMap { Int(exactly: $0) })
        try AtomicFile.write(Data(tokenizer.tokenizerJSON()), to: folder.appendingPathComponent("tokenizer.json"))
        try AtomicFile.write(Data(tokenizer.tokenizerConfigJSON()), to: folder.appendingPathComponent("tokenizer_config.json"))
        return ["tokenizer.json", "tokenizer_config.json"]
    }

    /// One tensor dequantized, un-permuted and encoded as `dtype`.
    static func tensorBytes(_ t: GGUFHuggingFaceModel.Tensor, file: GGUFFile, dtype: DType) throws -> [UInt8] {
        var values = try file.withBytes(of: t.info) { raw in
            try GGMLDequantize.decode(raw, as: t.info.type, count: Int(t.info.elementCount), tensor: t.info.name, path: file.path)
        }
        if let heads = t.unpermuteHeads {
            let shape = t.info.shape
            try LlamaGGUFMapping.unpermuteQK(&values, rows: shape.first ?? 0, cols: shape.dropFirst().reduce(1, *),
                                             heads: heads, tensor: t.info.name)
        }
        return try values.withUnsafeBufferPointer { try HalfPrecision.fromFloat32($0, to: dtype, tensor: t.hfName) }
    }
}

extension GGUFFile {
    /// Whether the file at `url` starts with the GGUF magic: formats are told apart by their
    /// bytes, never by the file name. False for folders and files shorter than 4 bytes.
    public static func hasMagic(_ url: URL) throws -> Bool {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else { throw FormatError.notFound(path: url.path) }
        if isFolder.boolValue { return false }
        let (fd, size) = try RegularFile.open(url.path)  // a FIFO would block a plain open
        defer { close(fd) }
        guard size >= 4 else { return false }
        var head = [UInt8](repeating: 0, count: 4)
        let n = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 4, 0) }
        guard n >= 0 else { throw FormatError.io(path: url.path, reason: "cannot read: \(String(cString: strerror(errno)))") }
        return n == 4 && head == magic
    }
}
