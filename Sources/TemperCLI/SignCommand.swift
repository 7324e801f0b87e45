import ArgumentParser
import Foundation
import TemperFormats
import TemperIntegrity

/// `temper sign DIR --key key.pem [--signature PATH]`: writes temper.manifest.json and a
/// model_signing-compatible bundle (default DIR/model.sig).
struct SignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sign", abstract: "Sign a model folder (OpenSSF model_signing key format).")

    @Argument(help: "The model folder (or ORG/NAME[@REV] from the Hugging Face cache).") var folder: String
    @Option(name: .long, help: "PEM private key (EC P-256, P-384 or P-521).") var key: String
    @Option(name: .long, help: "Where to write the signature (default: FOLDER/model.sig).") var signature: String?
    @Flag(name: .long, help: "Do not write temper.manifest.json (sign the files only).") var noManifest = false
    @Option(name: .long, help: "Sign the digests of this manifest (from `temper manifest merge`) instead of re-reading the files it covers; the folder must hold exactly its files, with their sizes.")
    var manifest: String?
    @OptionGroup var selection: FolderSelectionOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if manifest != nil && noManifest { throw ValidationError("--manifest writes that manifest into the folder; it cannot be combined with --no-manifest") }
    }

    func run() throws {
        let privateKey = try ECPrivateKey.load(path: key)
        var options = SigningOptions(signaturePath: signature)
        options.ignorePaths = selection.ignorePaths
        options.ignoreGitPaths = selection.ignoreGitPaths
        options.allowSymlinks = selection.allowSymlinks
        options.writeManifest = !noManifest
        if let manifest {
            options.manifest = try Manifest.parse(Array(try RegularFile.read(URL(fileURLWithPath: manifest))), path: manifest)
            options.manifestSource = manifest
        }
        Output.progress("signing \(folder)…")
        let result = try ModelSigner.sign(folder: try InputPath.model(folder).path, key: privateKey, options: options)
        if output.json { try Output.json(result); return }
        Output.line("signed \(result.files) files (\(result.tensors) tensors) of '\(result.modelName)' with \(result.curve.rawValue)")
        if let manifest = result.manifest { Output.line("manifest:  \(manifest) (\(result.manifestDigest ?? ""))") }
        Output.line("signature: \(result.signature)")
    }
}
