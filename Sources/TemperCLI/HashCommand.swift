import ArgumentParser
import Foundation
import TemperIntegrity

/// `temper hash PATH [--json]`: the Temper manifest of a folder or file (SHA-256 of every
/// file and tensor); `--json` prints the exact temper.manifest.json bytes.
struct HashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hash", abstract: "Print the SHA-256 manifest of a folder or weight file.")

    @Argument(help: "A model folder, a single file, or ORG/NAME[@REV] from the Hugging Face cache.") var path: String
    @Flag(name: .long, help: "File digests only, no per-tensor digests.") var noTensors = false
    @OptionGroup var output: OutputOptions

    func run() throws {
        let lister = noTensors ? TensorListing.none : TensorListing.default
        let manifest = try ManifestBuilder(tensorLister: lister).build(path: try InputPath.model(path).path)
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
}
