import Foundation
import TemperFormats
import Testing
import TemperFormats
@testable import TemperIntegrity

@Suite struct ModelSignerTests {
    @Test(arguments: ECCurve.allCases)
    func signThenVerifyRoundTrip(curve: ECCurve) throws {
        let (root, model) = try Fx.copyOfSignedModel()
        defer { Fx.remove(root) }
        let key = try ECPrivateKey.generate(curve: curve)
        let result = try ModelSigner.sign(folder: model.path, key: key)
        #expect(result.signature == model.path + "/model.sig")
        #expect(result.curve == curve)
        #expect(result.manifest == model.path + "/" + Manifest.fileName)
        let report = try ModelVerifier.verify(folder: model.path, key: try key.publicKey())
        #expect(report.ok && report.manifestCovered && report.keyHintChecked)
        #expect(report.filesSigned == result.files)
    }

    @Test func temperSignedFolderNamesChangedTensors() throws {
        let (root, model) = try Fx.copyOfSignedModel()
        defer { Fx.remove(root) }
        let key = try ECPrivateKey.generate()
        let result = try ModelSigner.sign(folder: model.path, key: key)
        #expect(result.tensors == 7)
        let weights = model.appendingPathComponent("model.safetensors")
        let file = try SafetensorsFile(url: weights)
        guard let target = file.record(named: "model.layers.0.mlp.weight") else { Issue.record("fixture tensor missing"); return }
        var data = try Data(contentsOf: weights)
        data[Int(target.fileRange.lowerBound) + 5] ^= 0x80
        try data.write(to: weights)
        let report = try ModelVerifier.verify(folder: model.path, key: try key.publicKey())
        #expect(!report.ok)
        #expect(report.changed.map(\.path) == ["model.safetensors"])
        #expect(report.changed.first?.tensors?.map(\.name) == ["model.layers.0.mlp.weight"])
        #expect(report.lines.contains("  changed tensor: model.layers.0.mlp.weight"))
    }

    @Test func payloadMatchesModelSigningForTheSameFolder() throws {
        let (root, model) = try Fx.copyOfSignedModel()
        defer { Fx.remove(root) }
        let theirs = try SigstoreBundle.parse(Array(try Data(contentsOf: model.appendingPathComponent("model.sig"))), path: "theirs")
        var options = SigningOptions(); options.writeManifest = false
        _ = try ModelSigner.sign(folder: model.path, key: try ECPrivateKey.generate(), options: options)
        let ours = try SigstoreBundle.parse(Array(try Data(contentsOf: model.appendingPathComponent("model.sig"))), path: "ours")
        let a = try InTotoStatement.parse(ours.payload, path: "ours"), b = try InTotoStatement.parse(theirs.payload, path: "theirs")
        #expect(a.modelName == b.modelName)
        #expect(a.resources == b.resources)
        #expect(a.subjectDigest == b.subjectDigest)
        #expect(a.ignorePaths == [".git", ".gitattributes", ".github", ".gitignore", "model.sig"])
        #expect(Set(a.ignorePaths) == Set(b.ignorePaths))
        // Same top-level layout as protobuf MessageToJson.
        #expect(try JSONDocument.parse(ours.payload, path: "p").members?.map(\.key) == ["_type", "subject", "predicateType", "predicate"])
        #expect(ours.bytes == Array(try Data(contentsOf: model.appendingPathComponent("model.sig"))))
    }

    @Test func signingIsDeterministicApartFromTheSignature() throws {
        let (root, model) = try Fx.copyOfSignedModel()
        defer { Fx.remove(root) }
        let key = try ECPrivateKey.generate()
        let sig = root.appendingPathComponent("outside.sig").path
        var options = SigningOptions(signaturePath: sig)
        options.ignorePaths = ["model.sig"]
        _ = try ModelSigner.sign(folder: model.path, key: key, options: options)
        let first = try SigstoreBundle.parse(Array(try Data(contentsOf: URL(fileURLWithPath: sig))), path: sig)
        let manifest = try Data(contentsOf: model.appendingPathComponent(Manifest.fileName))
        _ = try ModelSigner.sign(folder: model.path, key: key, options: options)
        let second = try SigstoreBundle.parse(Array(try Data(contentsOf: URL(fileURLWithPath: sig))), path: sig)
        #expect(first.payload == second.payload)
        #expect(try Data(contentsOf: model.appendingPathComponent(Manifest.fileName)) == manifest)
        // A signature outside the folder is not an ignored path.
        #expect(try InTotoStatement.parse(first.payload, path: sig).ignorePaths == [".git", ".gitattributes", ".github", ".gitignore", "model.sig"])
        var verify = VerifyOptions(signaturePath: sig); verify.ignorePaths = []
        #expect(try ModelVerifier.verify(folder: model.path, key: try key.publicKey(), options: verify).ok)
    }

    @Test func nothingIsWrittenWhenTheFolderCannotBeSigned() throws {
        let (root, model) = try Fx.copyOfSignedModel()
        defer { Fx.remove(root) }
        try FileManager.default.removeItem(at: model.appendingPathComponent("model.sig"))
        try FileManager.default.removeItem(at: model.appendingPathComponent(Manifest.fileName))
        try Fx.write("s", to: root.appendingPathComponent("secret"))
        try FileManager.default.createSymbolicLink(atPath: model.appendingPathComponent("l").path, withDestinationPath: "../secret")
        #expect(throws: IntegrityError.self) { try ModelSigner.sign(folder: model.path, key: try ECPrivateKey.generate()) }
        #expect(!FileManager.default.fileExists(atPath: model.appendingPathComponent("model.sig").path))
        #expect(!FileManager.default.fileExists(atPath: model.appendingPathComponent(Manifest.fileName).path))
    }
}
