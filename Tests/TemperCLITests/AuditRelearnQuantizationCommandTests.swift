import Foundation
import Testing

/// `temper audit relearn` and `temper audit quantization` as the real binary.
@Suite(.serialized) struct AuditRelearnQuantizationCommandTests {
    static let world = CLI.fixtures.appendingPathComponent("world")
    static let model = world.appendingPathComponent("model")

    @Test func relearnTheBaseAgainstItself() throws {
        let dir = try CLI.tempDir()
        defer { _ = try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("relearn")
        let r = try CLI.run(["audit", "relearn", "--base", Self.model.path, "--unlearned", Self.model.path, "--world", Self.world.path,
                             "--steps", "1", "--lrs", "1e-3", "--seeds", "1", "--unrelated-rows", "4", "--report", out.path])
        #expect(r.status == 0, "\(r.stderr)")
        // Nothing was unlearned, so there is no gap and recovery is undefined — said, not invented.
        #expect(r.stdout.contains("forget-part after 1 steps: worst-case recovery accuracy undefined (no gap)"))
        #expect(r.stdout.contains("unrelated after 1 steps") && r.stderr.contains("relearn audit: measuring the base model"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathExtension("json"))) as? [String: Any])
        #expect(json["format"] as? String == "temper.audit.relearn/1" && json["relearnRows"] as? Int == 12)
        #expect((json["config"] as? [String: Any])?["seeds"] as? [Int] == [0])
    }

    @Test func quantizationForgetMode() throws {
        let dir = try CLI.tempDir()
        defer { _ = try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("quant")
        let r = try CLI.run(["audit", "quantization", "--base", Self.model.path, "--defended", Self.model.path, "--world", Self.world.path,
                             "--mode", "forget", "--types", "q8_0", "--report", out.path, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(json["format"] as? String == "temper.audit.quantization/1" && json["types"] as? [String] == ["Q8_0"])
        #expect((json["variants"] as? [Any])?.count == 4 && FileManager.default.fileExists(atPath: out.appendingPathExtension("html").path))
    }

    @Test func badUsageExits64() throws {
        let dir = try CLI.tempDir()
        defer { _ = try? FileManager.default.removeItem(at: dir) }
        let report = dir.appendingPathComponent("r").path
        let fraction = try CLI.run(["audit", "relearn", "--base", Self.model.path, "--unlearned", Self.model.path, "--world", Self.world.path,
                                    "--relearn-fraction", "1", "--report", report])
        #expect(fraction.status == 64)
        let noData = try CLI.run(["audit", "relearn", "--base", Self.model.path, "--unlearned", Self.model.path, "--report", report])
        #expect(noData.status == 64 && noData.stderr.contains("--forget"))
        let type = try CLI.run(["audit", "quantization", "--base", Self.model.path, "--defended", Self.model.path, "--world", Self.world.path,
                                "--mode", "forget", "--types", "q9_x", "--report", report])
        #expect(type.status == 64 && type.stderr.contains("q9_x"))
        let both = try CLI.run(["audit", "quantization", "--base", Self.model.path, "--defended", Self.model.path,
                                "--forget", "a.jsonl", "--harmful", "b.jsonl", "--report", report])
        #expect(both.status == 64)
        let gpt2 = CLI.fixtures.appendingPathComponent("causal/gpt2").path
        let arch = try CLI.run(["audit", "quantization", "--base", gpt2, "--defended", gpt2,
                                "--forget", Self.world.appendingPathComponent("data/forget.jsonl").path, "--types", "q8_0", "--max-length", "64",
                                "--report", report])
        #expect(arch.status == 64 && arch.stderr.contains("Llama-family"), "\(arch.stderr)")
    }
}
