import Foundation
import Testing

/// `temper harden repnoise|adversarial` as the real binary: outputs, provenance, signing,
/// exit codes.
@Suite struct HardenCommandTests {
    static let world = CLI.fixtures.appendingPathComponent("world").path
    static let model = CLI.fixtures.appendingPathComponent("world/model").path

    @Test func repnoiseWritesASignedFolderWithProvenance() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let key = dir.appendingPathComponent("k.pem").path, out = dir.appendingPathComponent("rn").path
        #expect(try CLI.run(["keygen", "--out", key]).status == 0)
        let run = try CLI.run(["harden", "repnoise", Self.model, out, "--world", Self.world, "--steps", "2", "--batch", "4",
                               "--no-lens", "--freeze-layers", "0", "--key", key])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("wrote \(out) (harden repnoise, 2 steps") && run.stdout.contains("signature: \(out)/model.sig"))
        #expect(run.stderr.contains("step 2/2") && !run.stdout.contains("step 2/2"))
        let verify = try CLI.run(["verify", out, "--key", dir.appendingPathComponent("k.pub.pem").path])
        #expect(verify.status == 0, "\(verify.stdout)")
        let provenance = try CLI.run(["provenance", out, "--json"])
        #expect(provenance.status == 0 && provenance.stdout.contains("\"noLens\" : true") && provenance.stdout.contains("\"freezeLayers\" : 0"))
        // OUT exists: refused without --force.
        #expect(try CLI.run(["harden", "repnoise", Self.model, out, "--world", Self.world, "--steps", "1"]).status == 64)
    }

    @Test func adversarialJSONAndBadInput() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("adv").path
        let run = try CLI.run(["harden", "adversarial", Self.model, out, "--world", Self.world, "--epochs", "1", "--batch", "10",
                               "--adversarial-alpha", "0.2", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let result = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        let summary = result?["summary"] as? [String: Any]
        #expect(result?["operation"] as? String == "harden adversarial" && summary?["steps"] as? Int == 3)

        // Harmless rows have no refusals: bad input data (65) naming the file and line, and nothing is written.
        let harmless = Self.world + "/data/harmless_train.jsonl"
        let bad = try CLI.run(["harden", "repnoise", Self.model, dir.appendingPathComponent("x").path, "--world", Self.world,
                               "--harmful", harmless, "--steps", "1"])
        #expect(bad.status == 65 && bad.stderr.contains("\(harmless):1: the harmful row") && bad.stderr.contains("has no 'refusal'"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("x").path))
        let usage = try CLI.run(["harden", "repnoise", Self.model, out, "--world", Self.world, "--steps", "3", "--epochs", "1"])
        #expect(usage.status == 64)
        let notWorld = try CLI.run(["harden", "adversarial", Self.model, dir.appendingPathComponent("y").path, "--world", dir.path])
        #expect(notWorld.status == 65 && notWorld.stderr.contains("not a fixture world"))
        let noData = try CLI.run(["harden", "adversarial", Self.model, dir.appendingPathComponent("y").path])
        #expect(noData.status == 64 && noData.stderr.contains("--harmful"))
        let noRetain = try CLI.run(["harden", "adversarial", Self.model, dir.appendingPathComponent("y").path, "--harmful", Self.world + "/data/harmful_a_train.jsonl"])
        #expect(noRetain.status == 64 && noRetain.stderr.contains("--retain"))
    }

    /// Files instead of the world, on a GPT-2 folder that is not the world's: provenance
    /// names every data file by digest, and the output loads.
    @Test func filesOnANonWorldModel() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = CLI.fixtures.appendingPathComponent("causal/data").path
        let out = dir.appendingPathComponent("gpt2-repnoise").path
        let run = try CLI.run(["harden", "repnoise", CLI.fixtures.appendingPathComponent("causal/gpt2").path, out,
                               "--harmful", data + "/pairs.jsonl", "--retain", data + "/harmless.jsonl", "--steps", "2", "--batch", "4",
                               "--max-length", "64", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let provenance = try CLI.run(["provenance", out, "--json"])
        #expect(provenance.status == 0 && provenance.stdout.contains("pairs.jsonl") && provenance.stdout.contains("\"rows\" : 24"))
        let eval = try CLI.run(["eval", out, "--harmful", data + "/heldout.jsonl", "--harmless", data + "/harmless_test.jsonl",
                                "--judge", "refusal", "--max-new-tokens", "4", "--max-length", "64"])
        #expect(eval.status == 0 && eval.stdout.contains("heldout (8 rows): harmful rate refusal") && eval.stdout.contains("judge refusal:"))
        let tooLong = try CLI.run(["harden", "repnoise", CLI.fixtures.appendingPathComponent("causal/gpt2").path, out + "2",
                                   "--harmful", data + "/pairs.jsonl", "--retain-weight", "0", "--steps", "1"])
        #expect(tooLong.status == 64 && tooLong.stderr.contains("at most 128 positions"))
    }
}
