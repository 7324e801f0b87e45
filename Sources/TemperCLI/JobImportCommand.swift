import ArgumentParser
import Foundation
import TemperHarden
import TemperIntegrity

/// `temper job import JOB OUT [--key K]`.
struct JobImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Check an engine's result against its job and write it as a signed model folder.",
        discussion: """
        Checks, in order, refusing with nothing written or signed: every file the job recorded (config, data, noise, engine) still has its SHA-256 (exit 3: edited after export); the base model has the recorded manifest digest (exit 3); the engine's output holds exactly the base's tensors with their shapes and dtypes (exit 65, naming the tensor); losses.jsonl has every step and only finite values (exit 65: diverged or incomplete); run.json names the world size. Then OUT gets the base's config and tokenizer files, the engine's weights, a provenance record (the job's config plus the engine's run record: engine, versions, world size, devices, wall time) and, with --key, a signature. Every audit then works on OUT.
        """)

    @Argument(help: "The job folder (written by temper job export, run by run.sh).") var job: String
    @Argument(help: "The model folder to write.") var output: String
    @Option(name: .long, help: "The base model (default: the path job.json records).") var base: String?
    @Option(name: .long, help: "The engine's output folder (default: JOB/output).") var from: String?
    @Option(name: .long, help: "PEM private key: sign OUT (model_signing format).") var key: String?
    @Flag(name: .long, help: "Replace OUT if it exists.") var force = false
    @OptionGroup var format: OutputOptions

    func run() throws {
        let options = JobImportOptions(output: URL(fileURLWithPath: output), base: try base.map { try InputPath.model($0) },
                                       engineOutput: from.map { URL(fileURLWithPath: $0) }, signingKey: try key.map { try ECPrivateKey.load(path: $0) },
                                       replace: force, temperVersion: TemperVersion.string, log: Output.progress)
        let result = try JobImporter.run(job: try InputPath.require(job), options: options)
        if format.json { try Output.json(result); return }
        Output.line("imported \(result.operation) from \(result.engine) (world size \(result.worldSize), \(result.steps) steps) → \(result.output)")
        Output.line("provenance: \(result.output)/\(ProvenanceLog.fileName) (base \(result.baseManifestSHA256), output \(result.outputManifestSHA256))")
        if let signature = result.signature { Output.line("signature: \(signature)") }
    }
}
