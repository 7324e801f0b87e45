import ArgumentParser
import Foundation
import TemperFormats
import TemperIntegrity

extension ConversionTarget: ExpressibleByArgument {}

/// `--dtype`: one of Temper's element types (f32 f16 bf16 q8_0 q4_0) or a `llama-quantize`
/// file type (q4_k_m, q6_k, iq4_xs, …; case-insensitive, as llama-quantize matches them).
struct DTypeChoice: ExpressibleByArgument {
    var dtype: ConversionDType?
    var fileType: LlamaFileType?

    init?(argument: String) {
        dtype = ConversionDType(rawValue: argument.lowercased())
        fileType = LlamaFileType(name: argument)
        if dtype == nil && fileType == nil { return nil }
    }

    static var allValueStrings: [String] {
        var names = ConversionDType.allCases.map(\.rawValue)
        for name in LlamaFileType.names where !names.contains(name) { names.append(name) }
        return names
    }

    var name: String { dtype?.rawValue ?? fileType?.name.lowercased() ?? "" }
}

/// `temper convert IN OUT`: dtype and format conversion, streaming, atomic, with provenance.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a checkpoint's dtype or format (safetensors ⇄ GGUF), re-shard or rename tensors.",
        discussion: """
        IN is a .safetensors file, a sharded or Hugging Face folder, or a .gguf file. OUT is a .safetensors file, a .gguf file, or a folder (safetensors, with IN's config, tokenizer and other companion files copied). One tensor is in memory at a time and nothing appears under OUT until the conversion is complete.

        --dtype converts floating-point tensors only (integer tensors keep their type). q8_0 and q4_0 are GGUF block types: like convert_hf_to_gguf, 1-D tensors stay F32 and rows that are not a multiple of 32 fall back to F16. A Hugging Face Llama folder converted to GGUF gets llama.cpp's tensor names, the Q/K permutation, the llama.* hyperparameters and tokenizer.ggml.* arrays (default dtype f16, as convert_hf_to_gguf).

        --dtype also takes llama-quantize's file types (q4_k_m, q4_k_s, q5_k_m, q5_k_s, q3_k_s, q3_k_m, q3_k_l, q2_k, q6_k, q4_0, q4_1, q5_0, q5_1, q8_0, iq4_nl, iq4_xs, f16, bf16, f32; case-insensitive). A .gguf input is then re-quantized as llama-quantize does without an importance matrix: the same per-tensor types (output and tied token_embd in Q6_K, more bits for some attn_v and ffn_down layers, fallbacks for rows that are not whole blocks), bit-identical tensor data, the same tensor order and metadata. A Hugging Face Llama folder is exported in f32 first, then re-quantized. The other llama-quantize types (IQ1/IQ2/IQ3, TQ, Q2_K_S, MXFP4) are refused.

        --split-max-tensors N or --split-max-size SIZE (e.g. 2G, 500M: powers of 1000, as llama-gguf-split reads them) write a .gguf output as the shards llama.cpp's `llama-gguf-split --split` writes: OUT-00001-of-0000K.gguf … (OUT without .gguf), all metadata in the first, split.no / split.tensors.count / split.count in each, tensors in order, a new shard every N tensors or before the padded tensor bytes would pass SIZE. The shards are byte-identical to llama-gguf-split's on the same model and appear together, once all are written. llama.cpp and Temper open a model from its first shard.

        A folder output gets a temper.provenance.json record (input and output manifest digests, this exact configuration, Temper version, times), appended to IN's chain.

        Examples:
          temper convert model/ model-bf16/ --dtype bf16
          temper convert model/ model-q8.gguf --dtype q8_0
          temper convert model-f32.gguf model-q4_k_m.gguf --dtype q4_k_m
          temper convert model/ sharded/ --shard-size 2GB
          temper convert model.gguf model.safetensors --dtype f32
          temper convert model/ model.gguf --dtype q8_0 --split-max-size 2G
        """)

    @Argument(help: "Input file or folder, or ORG/NAME[@REV] from the Hugging Face cache.") var input: String
    @Argument(help: "Output .safetensors/.gguf file or folder (must not exist unless --force).") var output: String
    @Option(name: .long, help: "Output dtype for floating-point tensors (f32, f16, bf16, q8_0, q4_0) or a llama-quantize file type (q4_k_m, …).") var dtype: DTypeChoice?
    @Option(name: .long, help: "Output format (default: from OUT's extension; folders are safetensors).") var to: ConversionTarget?
    @Option(name: .long, help: "Split safetensors output into shards of at most this size (e.g. 2GB).") var shardSize: ByteSize?
    @Option(name: .long, help: "JSON file mapping old tensor names to new ones: {\"old\": \"new\", …}.") var rename: String?
    @Option(name: .long, help: "Write GGUF output as llama-gguf-split shards of at most N tensors each.") var splitMaxTensors: Int?
    @Option(name: .long, help: "Write GGUF output as llama-gguf-split shards of at most SIZE tensor bytes each (e.g. 2G, 500M).") var splitMaxSize: ByteSize?
    @Flag(name: .long, help: "Replace OUT if it exists (only after the new output is complete).") var force = false
    @OptionGroup var outputOptions: OutputOptions

    var target: ConversionTarget {
        to ?? (output.lowercased().hasSuffix(".gguf") ? .gguf : .safetensors)
    }

    func validate() throws {
        if target == .gguf && !output.lowercased().hasSuffix(".gguf") {
            throw ValidationError("GGUF output must be a .gguf file, got '\(output)'")
        }
        if target == .safetensors && output.lowercased().hasSuffix(".gguf") {
            throw ValidationError("--to safetensors but OUT '\(output)' ends in .gguf: name it .safetensors (or a folder), or use --to gguf")
        }
        if target == .safetensors, let dtype, dtype.dtype?.isGGUFOnly ?? true {
            throw ValidationError("--dtype \(dtype.name) is a GGUF block type; write a .gguf file (--to gguf)")
        }
        if shardSize != nil && (target == .gguf || output.hasSuffix(".safetensors")) {
            throw ValidationError("--shard-size needs a folder output in safetensors format")
        }
        if splitMaxTensors != nil && splitMaxSize != nil {
            throw ValidationError("give either --split-max-tensors or --split-max-size, not both")
        }
        if (splitMaxTensors != nil || splitMaxSize != nil) && target != .gguf {
            throw ValidationError("--split-max-tensors / --split-max-size need a .gguf output")
        }
        if let n = splitMaxTensors, n < 1 { throw ValidationError("--split-max-tensors must be at least 1, got \(n)") }
        let a = URL(fileURLWithPath: input).standardizedFileURL.path, b = URL(fileURLWithPath: output).standardizedFileURL.path
        if a == b { throw ValidationError("input and output are the same path") }
    }

    func run() throws {
        let started = Date()
        let inURL = try InputPath.model(input), outURL = URL(fileURLWithPath: output)
        let source = try ConversionInput(url: inURL)
        var options = ConversionOptions(target: target, dtype: dtype?.dtype, shardSize: shardSize?.bytes, renames: try readRenames(),
                                        fileType: dtype?.fileType)
        options.split = split
        options.replaceShards = force
        let isFolder = target == .safetensors && !output.hasSuffix(".safetensors")
        let progress = ProgressLine(label: "convert")
        var summary: ConversionSummary
        if isFolder {
            let folder = try AtomicFolder(url: outURL, replace: force)
            do {
                summary = try CheckpointConverter.convert(source, to: folder.stagingURL, options: options, progress: progress.update)
                for file in try source.companionFiles() {
                    try AtomicFile.write(try RegularFile.read(file), to: folder.stagingURL.appendingPathComponent(file.lastPathComponent))
                    summary.files.append(file.lastPathComponent)
                }
                try recordProvenance(in: folder.stagingURL, input: inURL, options: options, started: started)
                summary.files.append(ProvenanceLog.fileName)
                try folder.commit()
            } catch {
                folder.abandon()
                throw error
            }
            summary.output = outURL.path
        } else {
            if options.split == nil && FileManager.default.fileExists(atPath: outURL.path) && !force {
                throw FormatError.io(path: outURL.path, reason: "already exists (choose another output or pass --force)")
            }
            summary = try CheckpointConverter.convert(source, to: outURL, options: options, progress: progress.update)
        }
        progress.finish()
        if outputOptions.json { try Output.json(summary); return }
        Output.line("wrote \(summary.output): \(summary.format), \(summary.tensors) tensors, \(summary.bytesWritten) tensor bytes"
                    + (summary.ggufArchitecture.map { " (\($0) GGUF)" } ?? ""))
        for file in summary.files { Output.line("  \(file)") }
    }

    var split: GGUFSplitLimit? {
        if let n = splitMaxTensors { return .tensors(n) }
        return splitMaxSize.map { .bytes($0.bytes) }
    }

    func readRenames() throws -> [String: String] {
        guard let rename else { return [:] }
        let url = URL(fileURLWithPath: rename)
        let data = try RegularFile.read(url, limit: 1 << 26)
        let json: OrderedJSON
        do { json = try OrderedJSON.parse(Array(data)) } catch {
            throw FormatError.invalidHeader(path: rename, reason: "not JSON (\(error)); expected a JSON object {\"old name\": \"new name\", …}")
        }
        guard let members = json.members else {
            throw FormatError.invalidHeader(path: rename, reason: "expected a JSON object {\"old name\": \"new name\", …}")
        }
        var map: [String: String] = [:]
        for member in members {
            guard let value = member.value.stringValue else {
                throw FormatError.invalidHeader(path: rename, reason: "value for '\(member.key)' is not a string")
            }
            guard map.updateValue(value, forKey: member.key) == nil else { throw FormatError.duplicateKey(path: rename, key: member.key) }
        }
        return map
    }

    /// Appends this conversion to the output's provenance chain (inherited from the input).
    func recordProvenance(in folder: URL, input: URL, options: ConversionOptions, started: Date) throws {
        var config: [OrderedJSON.Member] = [
            .init(key: "input", value: .string(input.lastPathComponent)),
            .init(key: "to", value: .string(options.target.rawValue)),
            .init(key: "dtype", value: dtype.map { .string($0.name) } ?? .null),
            .init(key: "shard_size", value: options.shardSize.map { .number("\($0)") } ?? .null),
        ]
        config.append(.init(key: "renames", value: .object(options.renames.sorted { $0.key < $1.key }.map { .init(key: $0.key, value: .string($0.value)) })))
        _ = try ProvenanceLog.recordRewrite(operation: "convert", config: .object(config), temperVersion: TemperVersion.string,
                                            seed: nil, started: started, input: input.path, output: folder.path)
    }
}
