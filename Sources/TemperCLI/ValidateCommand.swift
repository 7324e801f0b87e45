import ArgumentParser
import Foundation
import TemperFormats

/// `temper validate PATH`: every format rule; exit 0, or 65 naming the file, tensor and rule.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check every format rule of a weight artifact.",
        discussion: """
        Checks header size and encoding, dtypes, shapes against byte lengths, that tensor byte ranges are in bounds, contiguous and non-overlapping and cover the data exactly, duplicate names, shard index paths (no escaping the folder) and shard contents; for GGUF: magic, version, value types, string and count bounds, alignment and tensor ranges. Exit 0 when valid, 65 with the violated rule otherwise.
        """)

    @Argument(help: "A .safetensors or .gguf file, a model folder, or ORG/NAME[@REV] from the Hugging Face cache.") var path: String
    @OptionGroup var output: OutputOptions

    struct Result: Encodable {
        var path: String
        var valid: Bool
        var format: String
        var files: Int
        var tensors: Int
    }

    func run() throws {
        // Opening runs every structural check; the report adds nothing but the counts.
        let report = try ArtifactReport.read(try InputPath.model(path))
        let result = Result(path: path, valid: true, format: report.format, files: report.totals.files, tensors: report.totals.tensors)
        if output.json { try Output.json(result); return }
        Output.line("valid: \(path) (\(report.format), \(report.totals.files) file\(report.totals.files == 1 ? "" : "s"), \(report.totals.tensors) tensors)")
    }
}
