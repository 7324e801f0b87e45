import ArgumentParser
import Foundation
import TemperIntegrity

/// `temper verify DIR --key key.pub.pem [--signature PATH] [--json]`: exit 0 when the
/// folder matches its signature, 3 when anything differs (each file and tensor named).
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "verify", abstract: "Verify a model folder against its signature.")

    @Argument(help: "The model folder (or ORG/NAME[@REV] from the Hugging Face cache).") var folder: String
    @Option(name: .long, help: "PEM public key of the signer.") var key: String
    @Option(name: .long, help: "The signature to check (default: FOLDER/model.sig).") var signature: String?
    @OptionGroup var selection: FolderSelectionOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let publicKey = try ECPublicKey.load(path: key)
        var options = VerifyOptions(signaturePath: signature)
        options.ignorePaths = selection.ignorePaths
        options.ignoreGitPaths = selection.ignoreGitPaths
        options.allowSymlinks = selection.allowSymlinks
        let report = try ModelVerifier.verify(folder: try InputPath.model(folder).path, key: publicKey, options: options)
        if output.json { try Output.json(report) } else { report.lines.forEach(Output.line) }
        if !report.ok {
            Output.progress("temper: verification failed: \(report.folder) does not match \(report.signature)")
            throw ExitCode(3)
        }
    }
}
