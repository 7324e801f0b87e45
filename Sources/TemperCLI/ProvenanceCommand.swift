import ArgumentParser
import Foundation
import TemperIntegrity

/// `temper provenance DIR [--json]`: prints the provenance chain and checks every link;
/// exit 3 when a link does not hold or the folder no longer matches the last record.
struct ProvenanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "provenance", abstract: "Print and check a folder's provenance chain.")

    @Argument(help: "The model folder.") var folder: String
    @Option(name: .long, help: "The signature file, left out of the manifest digest (default: FOLDER/model.sig).")
    var signature: String?
    @OptionGroup var output: OutputOptions

    func run() throws {
        let folder = try InputPath.model(self.folder).path
        var builder = ManifestBuilder()
        if let signature {
            builder.signatureRelativePath = try ModelFolder.relativePath(of: signature, inside: folder)
        }
        let report = try ProvenanceLog.verifyChain(folder: folder, builder: builder)
        if output.json { try Output.json(report) } else { report.lines.forEach(Output.line) }
        if !report.ok {
            // One line on stderr naming the file and the rule, whatever went to stdout.
            let detail = report.links.first { !$0.ok }.map { l in
                "record \(l.from)'s output \(l.expected) ≠ " + (l.to.map { "record \($0)'s base" } ?? "the folder's current manifest")
                    + " \(l.found ?? "none")"
            } ?? "no provenance records"
            Output.progress("temper: error: \(folder)/\(ProvenanceLog.fileName): provenance chain broken: \(detail)")
            throw ExitCode(3)
        }
    }
}
