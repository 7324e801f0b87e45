import ArgumentParser
import Foundation
import TemperFormats
import TemperIntegrity

extension ConversionDType: ExpressibleByArgument {}
extension ConversionTarget: ExpressibleByArgument {}

/// `temper convert IN OUT`: dtype and format conversion, streaming, atomic, with provenance.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a checkpoint's dtype or format (safetensors ⇄ GGUF), re-shard or rename tensors.",
        discussion: """
        IN is a .safetensors file, a sharded or Hugging Face folder, or a .gguf file. OUT is a .safetensors file, a .gguf file, or a folder (safetensors, with IN's config, tokenizer and other companion files copied). One tensor is in memory at a time and nothing appears under OUT until the conversion is complete.

        --dtype converts floating-point tensors only (integer tensors keep their type). q8_0 and q4_0 are GGUF block types: like convert_hf_to_gguf, 1-D tensors stay F32 and rows that are not a multiple of 32 fall back to F16. A Hugging Face Llama folder converted to GGUF gets llama.cpp's tensor names, the Q/K permutation, the llama.* hyperparameters and tokenizer.ggml.* arrays (default dtype f16, as convert_hf_to_gguf).

        A folder output gets a temper.provenance.json record (input and output manifest digests, this exact configuration, Temper version, times), appended to IN's chain.

        Examples:
          temper convert model/ model-bf16/ --dtype bf16
          temper convert model/ model-q8.gguf --dtype q8_0
          temper convert model/ sharded/ --shard-size 2GB
          temper convert model.gguf model.safetensors --dtype f32
        """)

    @Argument(help: "Input file or folder.") var input: String
    @Argument(help: "Output .safetensors/.gguf file or folder (must not exist unless --force).") var output: String
    @Option(name: .long, help: "Output dtype for floating-point tensors: f32, f16, bf16, q8_0, q4_0.") var dtype: ConversionDType?
    @Option(name: .long, help: "Output format (default: from OUT's extension; folders are safetensors).") var to: ConversionTarget?
    @Option(name: .long, help: "Split safetensors output into shards of at most this size (e.g. 2GB).") var shardSize: ByteSize?
    @Option(name: .long, help: "JSON file mapping old tensor names to new ones: {\"old\": \"new\", …}.") var rename: String?
    @Flag(name: .long, help: "Replace OUT if it exists (only after the new output is complete).") var force = false
    @OptionGroup var outputOptions: OutputOptions

    var target: ConversionTarget {
        to ?? (output.lowercased().hasSuffix(".gguf") ? .gguf : .safetensors)
    }

    func validate() throws {
        if target == .gguf && !output.lowercased().hasSuffix(".gguf") {
            throw ValidationError("GGUF output must be a .gguf file, got '\(output)'")
        }
        if target == .safetensors, let dtype, dtype == .q8_0 || dtype == .q4_0 {
            throw ValidationError("--dtype \(dtype.rawValue) is a GGUF block type; write a .gguf file (--to gguf)")
        }
        if shardSize != nil && (target == .gguf || output.hasSuffix(".safetensors")) {
            throw ValidationError("--shard-size needs a folder output in safetensors format")
        }
        let a = URL(fileURLWithPath: input).standardizedFileURL.path, b = URL(fileURLWithPath: output).standardizedFileURL.path
        if a == b { throw ValidationError("input and output are the same path") }
    }

    func run() throws {
        let started = Date()
        let inURL = URL(fileURLWithPath: input), outURL = URL(fileURLWithPath: output)
        let source = try ConversionInput(url: inURL)
        let options = ConversionOptions(target: target, dtype: dtype, shardSize: shardSize?.bytes, renames: try readRenames())
        let isFolder = target == .safetensors && !output.hasSuffix(".safetensors")
        let progress = ProgressLine(label: "convert")
        var summary: ConversionSummary
        if isFolder {
            let folder = try AtomicFolder(url: outURL, replace: force)
            do {
                summary = try CheckpointConverter.convert(source, to: folder.stagingURL, options: options, progress: progress.update)
                for file in try source.companionFiles() {
                    try AtomicFile.write(try Data(contentsOf: file), to: folder.stagingURL.appendingPathComponent(file.lastPathComponent))
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
            if FileManager.default.fileExists(atPath: outURL.path) && !force {
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

    func readRenames() throws -> [String: String] {
        guard let rename else { return [:] }
        let url = URL(fileURLWithPath: rename)
        guard let data = FileManager.default.contents(atPath: url.path) else { throw FormatError.notFound(path: rename) }
        guard let json = try? OrderedJSON.parse(Array(data)), let members = json.members else {
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
            .init(key: "dtype", value: options.dtype.map { .string($0.rawValue) } ?? .null),
            .init(key: "shard_size", value: options.shardSize.map { .number("\($0)") } ?? .null),
        ]
        config.append(.init(key: "renames", value: .object(options.renames.sorted { $0.key < $1.key }.map { .init(key: $0.key, value: .string($0.value)) })))
        _ = try ProvenanceLog.recordRewrite(operation: "convert", config: .object(config), temperVersion: TemperVersion.string,
                                            seed: nil, started: started, input: input.path, output: folder.path)
    }
}
