import Foundation
import TemperFormats
import Testing
@testable import TemperIntegrity

@Suite struct ModelVerifierTests {
    static let publicKey = Fx.signed.appendingPathComponent("key.pub.pem").path

    func verify(_ model: URL, key: String = publicKey, signature: String? = nil) throws -> VerificationReport {
        try ModelVerifier.verify(folder: model.path, key: try ECPublicKey.load(path: key), options: VerifyOptions(signaturePath: signature))
    }

    @Test(arguments: [("key.pub.pem", "model/model.sig"), ("key-p384.pub.pem", "model.p384.sig"), ("key-p521.pub.pem", "model.p521.sig")])
    func acceptsFolderSignedByModelSigning(key: String, signature: String) throws {
        let report = try verify(Fx.model, key: Fx.signed.appendingPathComponent(key).path,
                                signature: Fx.signed.appendingPathComponent(signature).path)
        #expect(report.ok, "\(report.lines)")
        #expect(report.keyHintChecked && report.manifestCovered)
        #expect(report.modelName == "model")
        #expect(report.filesChecked == report.filesSigned && report.filesChecked >= 6)
    }

    @Test func fileDigestsMatchPythonHashlib() throws {
        let expected = try JSONDocument.parse(Array(try Data(contentsOf: Fx.signed.appendingPathComponent("expected-digests.json"))), path: "expected")
        var rules = IgnoreRules(IgnoreRules.gitPaths); rules.add("model.sig")
        let ours = try FolderHasher(walker: FolderWalker(ignore: rules), tensorLister: TensorListing.none).hash(folder: Fx.model.path)
        #expect(ours.map(\.path) == expected.members?.map(\.key))
        for f in ours { #expect(expected[f.path]?.stringValue == f.sha256.hex, "\(f.path)") }
    }

    @Test func everyFlippedBitIsFoundInTheRightFile() throws {
        let (root, model) = try Fx.copyOfSignedModel()
        defer { Fx.remove(root) }
        var rules = IgnoreRules(); rules.add("model.sig")
        let files = try FolderWalker(ignore: rules).list(model.path).filter { $0.size > 0 }
        #expect(files.count >= 5)
        let manifest = try Manifest.parse(Array(try Data(contentsOf: model.appendingPathComponent(Manifest.fileName))), path: "m")
        for file in files {
            let original = try Data(contentsOf: URL(fileURLWithPath: file.path))
            let n = original.count
            for offset in Set([0, n / 3, n / 2, n - 1, Int(Fx.bytes(8, seed: UInt64(n)).reduce(0) { $0 &* 31 &+ Int($1) } % n)]) {
                var tampered = original
                tampered[offset] ^= 1 << UInt8(offset % 8)
                try tampered.write(to: URL(fileURLWithPath: file.path))
                let report = try verify(model)
                #expect(!report.ok, "\(file.relativePath) @\(offset)")
                #expect(report.changed.map(\.path) == [file.relativePath], "\(file.relativePath) @\(offset)")
                #expect(report.added.isEmpty && report.removed.isEmpty)
                #expect(report.manifestCovered == (file.relativePath != Manifest.fileName))
                // Inside a tensor's bytes the covered manifest names exactly that tensor.
                if let tensors = manifest.file(file.relativePath)?.tensors {
                    let hit = tensors.filter { UInt64(offset) >= $0.begin && UInt64(offset) < $0.end }.map(\.name)
                    let named = report.changed.first?.tensors
                    if !hit.isEmpty {
                        #expect(named?.map(\.name) == hit && named?.first?.change == .changed, "\(file.relativePath) @\(offset)")
                    } else {
                        #expect(named != nil || report.changed.first?.tensorNote != nil, "header flip @\(offset) explained")
                    }
                }
            }
            try original.write(to: URL(fileURLWithPath: file.path))
        }
        #expect(try verify(model).ok)
    }

    @Test func addedAndRemovedFilesAreNamed() throws {
        let (root, model) = try Fx.copyOfSignedModel()
        defer { Fx.remove(root) }
        try Fx.write("new", to: model.appendingPathComponent("sub/new.txt"))
        try FileManager.default.removeItem(at: model.appendingPathComponent("sub/empty.bin"))
        let report = try verify(model)
        #expect(!report.ok)
        #expect(report.added == ["sub/new.txt"])
        #expect(report.removed == ["sub/empty.bin"])
        #expect(report.changed.isEmpty)
        // Git files are ignored as model_signing ignores them.
        try FileManager.default.removeItem(at: model.appendingPathComponent("sub/new.txt"))
        try Fx.write("x", to: model.appendingPathComponent(".git/HEAD"))
        try Fx.write("x", to: model.appendingPathComponent(".gitattributes"))
        #expect(try verify(model).removed == ["sub/empty.bin"])
        #expect(try verify(model).added.isEmpty)
    }

    @Test func symlinkOutOfTheFolderIsAnError() throws {
        let (root, model) = try Fx.copyOfSignedModel()
        defer { Fx.remove(root) }
        try Fx.write("secret", to: root.appendingPathComponent("secret"))
        try FileManager.default.createSymbolicLink(atPath: model.appendingPathComponent("link").path, withDestinationPath: "../secret")
        #expect(throws: IntegrityError.symlinkOutsideFolder(path: model.path + "/link", target: try FolderWalker.realPath(root.path + "/secret"))) {
            try verify(model)
        }
    }
}
