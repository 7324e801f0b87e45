import Foundation
import Testing

/// `temper audit immunization|depth` as the real binary: reports, stdout vs stderr, exit codes.
@Suite(.serialized) struct AuditCommandTests {
    static let world = CLI.fixtures.appendingPathComponent("world")
    static let model = world.appendingPathComponent("model")

    func temper(_ args: [String]) throws -> CLIResult { try CLI.run(args) }

    func svgCount(_ html: String) -> Int { html.components(separatedBy: "<svg").count - 1 }

    @Test func depthBaseAgainstItself() throws {
        let dir = try CLI.tempDir()
        defer { _ = try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("reports/depth")
        let r = try temper(["audit", "depth", "--base", Self.model.path, "--defended", Self.model.path, "--world", Self.world.path,
                            "--report", out.path, "--no-attack"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("probe test accuracy (base, last-prompt-token): 0.50") && r.stdout.contains("report: "))
        #expect(r.stdout.contains("weight change (defended vs base) per block: 0 0 0 0"))
        #expect(r.stderr.contains("depth audit: prompt-type probes") && !r.stdout.contains("depth audit:"))
        #expect(r.stdout.contains("knowledge probe (base, harmful_a_train+harmful_a_heldout+harmful_b, chance "))
        #expect(r.stdout.contains("knowledge probe (defended, forget, chance "))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathExtension("json"))) as? [String: Any])
        let measures = try #require(json["measures"] as? [String])
        #expect(measures == ["relative weight change", "logit-lens harmful log-likelihood", "prompt-type probe accuracy", "knowledge probe accuracy"])
        #expect(json["probePooling"] as? String == "last-prompt-token" && json["attackCost"] == nil)
        let html = try String(contentsOf: out.appendingPathExtension("html"), encoding: .utf8)
        // The knowledge probe plots the harmful sets and the world's forget facts.
        #expect(svgCount(html) == measures.count + 1)
    }

    @Test func immunizationWithATinyGrid() throws {
        let dir = try CLI.tempDir()
        defer { _ = try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("imm")
        let r = try temper(["audit", "immunization", "--base", Self.model.path, "--defended", Self.model.path, "--world", Self.world.path,
                            "--report", out.path, "--lrs", "1e-3", "--steps", "2,4", "--budget", "2", "--train-steps", "3"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 6 && lines[0].hasPrefix("resistance: ") && lines[4].hasPrefix("trainability: "))
        // Identical models: no accuracy drop, so stability passes.
        #expect(lines[1].hasPrefix("stability: pass") && lines[1].contains("drop 0.000"))
        #expect(r.stderr.contains("attack grid on the base model") && r.stderr.contains("trainability (defended model)"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathExtension("json"))) as? [String: Any])
        #expect((json["conditions"] as? [Any])?.count == 5 && json["format"] as? String == "temper.audit.immunization/2")
        #expect(svgCount(try String(contentsOf: out.appendingPathExtension("html"), encoding: .utf8)) == 4)
    }

    @Test func badInputsExit65AndBadUsage64() throws {
        let dir = try CLI.tempDir()
        defer { _ = try? FileManager.default.removeItem(at: dir) }
        let report = dir.appendingPathComponent("r").path
        let missingWorld = try temper(["audit", "depth", "--base", Self.model.path, "--defended", Self.model.path,
                                       "--world", dir.appendingPathComponent("nowhere").path, "--report", report, "--no-attack"])
        #expect(missingWorld.status == 64 && missingWorld.stderr.contains("nowhere") && missingWorld.stdout.isEmpty)
        let notAWorld = try temper(["audit", "immunization", "--base", Self.model.path, "--defended", Self.model.path,
                                    "--world", dir.path, "--report", report])
        #expect(notAWorld.status == 65 && notAWorld.stderr.contains("not a fixture world"))

        // Same weights, but one word of the tokenizer renamed: the vocabularies differ.
        let renamed = dir.appendingPathComponent("renamed")
        try FileManager.default.copyItem(at: Self.model, to: renamed)
        let tokenizer = renamed.appendingPathComponent("tokenizer.json")
        let text = try String(contentsOf: tokenizer, encoding: .utf8).replacingOccurrences(of: "\"plus\":", with: "\"plux\":")
        try text.write(to: tokenizer, atomically: true, encoding: .utf8)
        let mismatch = try temper(["audit", "depth", "--base", Self.model.path, "--defended", renamed.path,
                                   "--world", Self.world.path, "--report", report, "--no-attack"])
        #expect(mismatch.status == 65 && mismatch.stderr.contains("does not match the world's tokenizer"))
        #expect(!FileManager.default.fileExists(atPath: report + ".json"))

        let missingModel = try temper(["audit", "depth", "--base", Self.model.path, "--defended", dir.appendingPathComponent("none").path,
                                       "--world", Self.world.path, "--report", report, "--no-attack"])
        #expect(missingModel.status == 65 && missingModel.stderr.contains("defended model"))

        let usage = try temper(["audit", "depth", "--base", Self.model.path, "--defended", Self.model.path, "--world", Self.world.path,
                                "--report", report, "--freeze-ablation", "two=/x"])
        #expect(usage.status == 64)
        let badList = try temper(["audit", "immunization", "--base", Self.model.path, "--defended", Self.model.path,
                                  "--world", Self.world.path, "--report", report, "--lrs", "fast"])
        #expect(badList.status == 64)
        let badResults = dir.appendingPathComponent("ablation.json")
        try Data("{}".utf8).write(to: badResults)
        let unreadable = try temper(["audit", "depth", "--base", Self.model.path, "--defended", Self.model.path, "--world", Self.world.path,
                                     "--report", report, "--no-attack", "--freeze-ablation-results", badResults.path])
        #expect(unreadable.status == 65 && unreadable.stderr.contains("freeze-ablation results"))
    }

    @Test func jsonFlagPrintsTheReport() throws {
        let dir = try CLI.tempDir()
        defer { _ = try? FileManager.default.removeItem(at: dir) }
        let r = try temper(["audit", "depth", "--base", Self.model.path, "--defended", Self.model.path, "--world", Self.world.path,
                            "--report", dir.appendingPathComponent("d").path, "--no-attack", "--json", "--pooling", "mean-prompt-tokens"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(json["format"] as? String == "temper.audit.depth/3" && json["probePooling"] as? String == "mean-prompt-tokens")
        #expect(json["layers"] as? Int == 4)
    }
}
