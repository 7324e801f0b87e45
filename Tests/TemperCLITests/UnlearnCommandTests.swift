import Foundation
import Testing

/// `temper unlearn METHOD IN OUT` as the real binary: outputs that verify and load, the
/// provenance config, a non-world model, the overlap warning and the exit codes.
@Suite struct UnlearnCommandTests {
    static let world = CLI.fixtures.appendingPathComponent("world").path
    static let model = CLI.fixtures.appendingPathComponent("world/model").path
    static let data = CLI.fixtures.appendingPathComponent("causal/data").path
    static let gpt2 = CLI.fixtures.appendingPathComponent("causal/gpt2").path

    @Test func rmuOnTheWorldIsSignedAndRecordsItsChoices() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let key = dir.appendingPathComponent("k.pem").path, out = dir.appendingPathComponent("rmu").path
        #expect(try CLI.run(["keygen", "--out", key]).status == 0)
        let run = try CLI.run(["unlearn", "rmu", Self.model, out, "--world", Self.world, "--steps", "2", "--batch", "4", "--key", key])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("wrote \(out) (unlearn rmu, 2 steps") && run.stdout.contains("rmu: layer 2, c "))
        #expect(run.stderr.contains("step 2/2") && run.stderr.contains("forget_mse") && !run.stdout.contains("step 2/2"))
        let verify = try CLI.run(["verify", out, "--key", dir.appendingPathComponent("k.pub.pem").path])
        #expect(verify.status == 0, "\(verify.stdout)")
        let provenance = try CLI.run(["provenance", out, "--json"])
        #expect(provenance.status == 0 && provenance.stdout.contains("\"method\" : \"rmu\"") && provenance.stdout.contains("\"layer\" : 2")
                && provenance.stdout.contains("\"steeringCoefficient\"") && provenance.stdout.contains("\"measuredResidualNorm\""))
        #expect(provenance.stdout.contains("#forget") && provenance.stdout.contains("#retain"))
        #expect(try CLI.run(["unlearn", "rmu", Self.model, out, "--world", Self.world, "--steps", "1"]).status == 64)
    }

    /// Files on a GPT-2 folder that is not the world's, every method; the outputs load (eval runs on them).
    @Test(arguments: ["ga", "graddiff", "npo", "simnpo", "rmu"])
    func filesOnANonWorldModel(_ method: String) throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent(method).path
        var args = ["unlearn", method, Self.gpt2, out, "--forget", Self.data + "/heldout.jsonl", "--steps", "2", "--batch", "4",
                    "--max-length", "64", "--json"]
        if method != "ga" { args += ["--retain", Self.data + "/harmless.jsonl"] }
        let run = try CLI.run(args)
        #expect(run.status == 0, "\(run.stderr)")
        let result = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        let inner = result?["result"] as? [String: Any], config = result?["config"] as? [String: Any]
        #expect(inner?["operation"] as? String == "unlearn \(method)" && result?["forgetRetainOverlap"] as? Int == 0)
        #expect(config?["method"] as? String == method)
        let provenance = try CLI.run(["provenance", out, "--json"])
        #expect(provenance.status == 0 && provenance.stdout.contains("heldout.jsonl"))
        let eval = try CLI.run(["eval", out, "--harmful", Self.data + "/heldout.jsonl", "--harmless", Self.data + "/harmless_test.jsonl",
                                "--judge", "refusal", "--max-new-tokens", "2", "--max-length", "64"])
        #expect(eval.status == 0, "\(eval.stderr)")
    }

    @Test func badInput() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let harmless = Self.data + "/harmless.jsonl"
        let overlap = try CLI.run(["unlearn", "graddiff", Self.gpt2, dir.appendingPathComponent("o").path, "--forget", harmless,
                                   "--retain", harmless, "--steps", "1", "--max-length", "64", "--json"])
        #expect(overlap.status == 0 && overlap.stderr.contains("warning:") && overlap.stderr.contains("also appear in the retain set"))
        let result = try JSONSerialization.jsonObject(with: Data(overlap.stdout.utf8)) as? [String: Any]
        #expect((result?["forgetRetainOverlap"] as? Int ?? 0) > 0)
        let empty = dir.appendingPathComponent("empty.jsonl")
        try Data().write(to: empty)
        let noRows = try CLI.run(["unlearn", "ga", Self.model, dir.appendingPathComponent("e").path, "--forget", empty.path])
        #expect(noRows.status == 65, "\(noRows.stderr)")
        let layer = try CLI.run(["unlearn", "rmu", Self.model, dir.appendingPathComponent("l").path, "--world", Self.world, "--layer", "9", "--steps", "1"])
        #expect(layer.status == 64 && layer.stderr.contains("block index"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("l").path))
        #expect(try CLI.run(["unlearn", "npo", Self.model, dir.appendingPathComponent("b").path, "--world", Self.world, "--beta", "0"]).status == 64)
        #expect(try CLI.run(["unlearn", "graddiff", Self.model, dir.appendingPathComponent("r").path, "--forget", harmless]).status == 64)
        #expect(try CLI.run(["unlearn", "forget", Self.model, dir.appendingPathComponent("m").path, "--world", Self.world]).status == 64)
        let help = try CLI.run(["unlearn", "--help"])
        #expect(help.status == 0 && help.stdout.contains("open-unlearning") && help.stdout.contains("centerforaisafety/wmdp"))
    }
}
