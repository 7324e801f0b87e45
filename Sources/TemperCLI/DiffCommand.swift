import ArgumentParser
import Foundation
import TemperIntegrity

/// `temper diff A B [--json]`: tensor-by-tensor comparison of two checkpoints, grouped by layer.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "diff", abstract: "Compare two checkpoints tensor by tensor.")

    @Argument(help: "The base checkpoint (weight file or folder).") var a: String
    @Argument(help: "The checkpoint to compare with it.") var b: String
    @OptionGroup var output: OutputOptions

    func run() throws {
        let report = try CheckpointDiff.compare(try InputPath.model(a).path, try InputPath.model(b).path)
        if output.json { try Output.json(report); return }
        if report.identical {
            Output.line("identical: \(report.tensorsA) tensors")
            return
        }
        for layer in report.layers where layer.added + layer.removed + layer.changed > 0 {
            let name = layer.layer.map { "layer \($0)" } ?? "outside layers"
            let rel = layer.relativeL2.map { String(format: ", relative L2 %.3g", $0) } ?? ""
            Output.line("\(name): \(layer.changed) changed, \(layer.added) added, \(layer.removed) removed\(rel)")
        }
        for d in report.differences {
            var line = "  \(d.status.rawValue) \(d.name)"
            if d.dtypeChanged { line += " dtype \(d.dtypeA ?? "?")→\(d.dtypeB ?? "?")" }
            if d.shapeChanged { line += " shape \(d.shapeA ?? [])→\(d.shapeB ?? [])" }
            if let r = d.relativeL2 { line += String(format: " relative L2 %.3g", r) }
            Output.line(line)
        }
        Output.line("\(report.differences.count) tensors differ, \(report.unchanged) unchanged")
    }
}
