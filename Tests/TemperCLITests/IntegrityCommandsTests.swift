import Foundation
import Testing

/// The integrity subcommands run as the real `temper` binary: exit codes, stdout, stderr.
@Suite struct IntegrityCommandsTests {
    static let repo = CLI.repoRoot
    static let fixtureModel = CLI.fixtures.appendingPathComponent("integrity/signed-by-model-signing/model")

    func temper(_ args: String...) throws -> CLIResult { try CLI.run(args) }

    func scratchCopy() throws -> URL {
        let dir = try CLI.tempDir()
        try FileManager.default.copyItem(at: Self.fixtureModel, to: dir.appendingPathComponent("m"))
        return dir
    }

    @Test func keygenSignVerifyTamper() throws {
        let dir = try scratchCopy()
        defer { _ = try? FileManager.default.removeItem(at: dir) }
        let key = dir.appendingPathComponent("k.pem").path, pub = dir.appendingPathComponent("k.pub.pem").path
        let model = dir.appendingPathComponent("m").path
        #expect(try temper("keygen", "--out", key, "--curve", "p384").status == 0)
        #expect((try FileManager.default.attributesOfItem(atPath: key)[.posixPermissions] as? Int) == 0o600)
        #expect(try temper("keygen", "--out", key).status == 64)  // refuses to overwrite
        let sign = try temper("sign", model, "--key", key)
        #expect(sign.status == 0, "\(sign.stderr)")
        #expect(sign.stdout.contains("7 tensors"))
        let ok = try temper("verify", model, "--key", pub)
        #expect(ok.status == 0 && ok.stdout.hasPrefix("OK"))

        var data = try Data(contentsOf: URL(fileURLWithPath: model + "/head.safetensors"))
        data[data.count - 1] ^= 1
        try data.write(to: URL(fileURLWithPath: model + "/head.safetensors"))
        let bad = try temper("verify", model, "--key", pub)
        #expect(bad.status == 3)
        #expect(bad.stdout.contains("changed: head.safetensors") && bad.stdout.contains("changed tensor: lm_head.weight"))
        let json = try temper("verify", model, "--key", pub, "--json")
        #expect(json.status == 3)
        let report = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(report?["ok"] as? Bool == false)
    }

    @Test func refusalsHaveDocumentedExitCodes() throws {
        let dir = try scratchCopy()
        defer { _ = try? FileManager.default.removeItem(at: dir) }
        let model = dir.appendingPathComponent("m").path
        let keys = Self.repo.appendingPathComponent("Fixtures/integrity/keys").path
        let signed = Self.repo.appendingPathComponent("Fixtures/integrity/signed-by-model-signing").path
        #expect(try temper("verify", model, "--key", signed + "/key.pub.pem").status == 0)
        #expect(try temper("verify", model, "--key", signed + "/other.pub.pem").status == 3)
        #expect(try temper("verify", model, "--key", keys + "/rsa.pub.pem").status == 65)
        #expect(try temper("sign", model, "--key", keys + "/ed25519.pem").status == 65)
        try Data("{\"mediaType\":".utf8).write(to: URL(fileURLWithPath: model + "/model.sig"))
        let truncated = try temper("verify", model, "--key", signed + "/key.pub.pem")
        #expect(truncated.status == 65 && truncated.stderr.contains("malformed signature bundle"))
        #expect(try temper("verify", dir.path + "/missing", "--key", signed + "/key.pub.pem").status == 64)
    }

    @Test func hashProvenanceAndDiff() throws {
        let dir = try scratchCopy()
        defer { _ = try? FileManager.default.removeItem(at: dir) }
        let model = dir.appendingPathComponent("m").path
        let hash = try temper("hash", model, "--json")
        #expect(hash.status == 0)
        #expect(Data(hash.stdout.utf8) == (try Data(contentsOf: URL(fileURLWithPath: model + "/temper.manifest.json"))))
        #expect(try temper("provenance", model).status == 3)  // no records yet
        let diff = try temper("diff", model, model + "/model.safetensors", "--json")
        #expect(diff.status == 0)
        let report = try JSONSerialization.jsonObject(with: Data(diff.stdout.utf8)) as? [String: Any]
        #expect((report?["differences"] as? [Any])?.count == 2)  // head.safetensors' two tensors are missing on the right
    }
}
