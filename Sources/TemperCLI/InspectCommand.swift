import ArgumentParser
import Foundation

/// `temper inspect PATH [--json]`: tensors, metadata and totals, from headers only.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show the tensors, metadata and totals of a weight artifact.",
        discussion: """
        PATH is a .safetensors file, a sharded folder (model.safetensors.index.json), a Hugging Face model folder or a .gguf file. Only headers are read, so a 10 GB file is inspected in milliseconds. Each tensor is listed with dtype, shape, byte size and file offset.
        """)

    @Argument(help: "A .safetensors or .gguf file, a model folder, or ORG/NAME[@REV] from the Hugging Face cache.") var path: String
    @OptionGroup var output: OutputOptions

    func run() throws {
        let report = try ArtifactReport.read(try InputPath.model(path))
        if output.json { try Output.json(report) } else { report.lines.forEach(Output.line) }
    }
}
