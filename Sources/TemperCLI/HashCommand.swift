import ArgumentParser
import Foundation
import TemperFormats
import TemperIntegrity

/// `temper hash PATH [--json] [--files-of K/N] [--out FILE]`: the Temper manifest of a folder
/// or file (SHA-256 of every file and tensor), or one machine's part of it.
struct HashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash", abstract: "Print the SHA-256 manifest of a folder or weight file.",
        discussion: """
        Hashes every file (and every tensor of each .safetensors file) as temper.manifest.json records them (Formats/manifest.md).

        Across machines: `--files-of K/N --out PART.json` hashes only part K of N of the folder's files (a deterministic split by size, the same on every machine that sees the same folder) and writes a partial manifest; `temper manifest merge PART… --out temper.manifest.json` then gives exactly the manifest one machine would write, and `temper sign DIR --manifest temper.manifest.json` signs it without reading the weights again.
        """)

    @Argument(help: "A model folder, a single file, or ORG/NAME[@REV] from the Hugging Face cache.") var path: String
    @Flag(name: .long, help: "File digests only, no per-tensor digests.") var noTensors = false
    @Option(name: .long, help: "Hash only part K of N of the files (1 ≤ K ≤ N) and write a partial manifest (needs --out).")
    var filesOf: String?
    @Option(name: .long, help: "Write the manifest (or partial manifest) to FILE instead of printing it.") var out: String?
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if filesOf != nil && out == nil { throw ValidationError("--files-of writes a partial manifest: give --out PART.json") }
        _ = try part()
    }

    /// (K, N) from `--files-of K/N`.
    func part() throws -> (Int, Int)? {
        guard let filesOf else { return nil }
        let fields = filesOf.split(separator: "/", omittingEmptySubsequences: false)
        guard fields.count == 2, let k = Int(fields[0]), let n = Int(fields[1]), n >= 1, (1...n).contains(k) else {
            throw ValidationError("--files-of takes K/N with 1 ≤ K ≤ N (for example 2/4), not '\(filesOf)'")
        }
        return (k, n)
    }

    func run() throws {
        let lister = noTensors ? TensorListing.none : TensorListing.default
        let builder = ManifestBuilder(tensorLister: lister)
        let source = try InputPath.model(path).path
        if let (k, n) = try part(), let out {
            let partial = try builder.buildPart(path: source, part: k, of: n)
            try AtomicFile.write(Data(partial.canonicalBytes), to: URL(fileURLWithPath: out))
            let bytes = partial.files.reduce(UInt64(0)) { $0 + $1.size }
            if output.json { try Output.json(PartResult(part: k, parts: n, files: partial.files.count, bytes: bytes, out: out)); return }
            Output.line("part \(k)/\(n): \(partial.files.count) of \(partial.listing.entries.count) files (\(bytes) bytes) → \(out)")
            return
        }
        let manifest = try builder.build(path: source)
        if let out {
            try AtomicFile.write(Data(manifest.canonicalBytes), to: URL(fileURLWithPath: out))
            if output.json { try Output.json(["manifest": out, "sha256": manifest.digest.hex]); return }
            Output.line("manifest \(manifest.digest.hex) → \(out)")
            return
        }
        if output.json {
            FileHandle.standardOutput.write(Data(manifest.canonicalBytes))
            return
        }
        for file in manifest.files {
            Output.line("\(file.sha256.hex)  \(file.path)")
            for t in file.tensors ?? [] {
                Output.line("  \(t.sha256.hex)  \(t.name) \(t.dtype)\(t.shape) [\(t.begin), \(t.end))")
            }
        }
        Output.line("manifest \(manifest.digest.hex)")
    }

    struct PartResult: Encodable {
        let part: Int, parts: Int, files: Int, bytes: UInt64, out: String
    }
}
