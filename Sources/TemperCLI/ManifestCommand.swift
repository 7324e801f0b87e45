import ArgumentParser
import Foundation
import TemperFormats
import TemperIntegrity

/// `temper manifest merge PART… --out M`: partial manifests from several machines → the
/// whole folder's manifest, byte for byte what `temper hash DIR` writes on one machine.
struct ManifestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "manifest", abstract: "Work with Temper manifests built on several machines.",
                                                    subcommands: [ManifestMergeCommand.self])
}

struct ManifestMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge", abstract: "Merge the partial manifests of `temper hash --files-of K/N` into one.",
        discussion: """
        Checks that the parts are parts 1…N of the same split of the same folder listing (paths and sizes), that each holds exactly the files its part number owns, and that none is missing or repeated; then writes the manifest one machine would have written (same bytes, same digest). Sign it with `temper sign DIR --manifest M`.
        """)

    @Argument(help: "The partial manifests (PART.json files from `temper hash --files-of K/N --out PART.json`).") var parts: [String]
    @Option(name: .long, help: "Where to write the merged manifest (temper.manifest.json inside the folder, or anywhere).") var out: String
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if parts.isEmpty { throw ValidationError("give the partial manifests to merge") }
    }

    func run() throws {
        let loaded = try parts.map { path in
            (path: path, manifest: try PartialManifest.parse(Array(try RegularFile.read(URL(fileURLWithPath: path))), path: path))
        }
        let manifest = try ManifestMerge.merge(loaded)
        try AtomicFile.write(Data(manifest.canonicalBytes), to: URL(fileURLWithPath: out))
        let tensors = manifest.files.reduce(0) { $0 + ($1.tensors?.count ?? 0) }
        if output.json {
            try Output.json(MergeResult(manifest: out, sha256: manifest.digest.hex, parts: loaded.count, files: manifest.files.count, tensors: tensors))
            return
        }
        Output.line("merged \(loaded.count) parts: \(manifest.files.count) files, \(tensors) tensors → \(out)")
        Output.line("manifest \(manifest.digest.hex)")
    }

    struct MergeResult: Encodable {
        let manifest: String, sha256: String, parts: Int, files: Int, tensors: Int
    }
}
