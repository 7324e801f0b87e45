import ArgumentParser
import Foundation
import TemperIntegrity

/// `temper keygen --out key.pem [--curve p256|p384|p521]`: writes key.pem (PKCS#8, 0600)
/// and key.pub.pem (SubjectPublicKeyInfo).
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "keygen", abstract: "Generate an EC signing key pair.")

    @Option(name: .long, help: "Private key path; the public key goes beside it as NAME.pub.pem.")
    var out: String

    @Option(name: .long, help: "Curve: p256, p384 or p521.")
    var curve: ECCurve = .p256

    @Flag(name: .long, help: "Replace existing key files.")
    var force = false

    @OptionGroup var output: OutputOptions

    struct Result: Encodable { var privateKey: String; var publicKey: String; var curve: ECCurve; var publicKeyHint: String }

    static func publicKeyPath(for privatePath: String) -> String {
        privatePath.hasSuffix(".pem") ? String(privatePath.dropLast(4)) + ".pub.pem" : privatePath + ".pub.pem"
    }

    func run() throws {
        let publicPath = Self.publicKeyPath(for: out)
        for path in [out, publicPath] where !force && FileManager.default.fileExists(atPath: path) {
            throw ValidationError("\(path) exists; pass --force to replace it")
        }
        let key = try ECPrivateKey.generate(curve: curve)
        try key.write(to: URL(fileURLWithPath: out))
        let publicKey = try key.publicKey()
        try publicKey.write(to: URL(fileURLWithPath: publicPath))
        let result = Result(privateKey: out, publicKey: publicPath, curve: curve, publicKeyHint: try publicKey.hint())
        if output.json { try Output.json(result) } else {
            Output.line("private key: \(out)")
            Output.line("public key:  \(publicPath) (\(curve.rawValue), hint \(result.publicKeyHint))")
        }
    }
}
