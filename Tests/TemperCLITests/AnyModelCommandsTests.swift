import Foundation
import Testing

/// `attack`, `eval` and the audits on folders that are not the world's (Fixtures/causal:
/// random GPT-2, Qwen2 and Llama with real BPE tokenizers) and on JSONL files.
@Suite struct AnyModelCommandsTests {
    static let data = CLI.fixtures.appendingPathComponent("causal/data").path
    static func model(_ name: String) -> String { CLI.fixtures.appendingPathComponent("causal/\(name)").path }

    @Test func attackOnFilesWritesAReportNamingDataAndJudges() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let report = dir.appendingPathComponent("attack").path
        let run = try CLI.run(["attack", Self.model("qwen2"), "--data", Self.data + "/pairs.jsonl", "--eval", Self.data + "/heldout.jsonl",
                               "--judge", "refusal", "--lrs", "1e-3", "--steps", "1", "--batch", "4", "--max-length", "64",
                               "--max-new-tokens", "4", "--report", report])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("steps to φ=0.50 0") && run.stdout.contains("refusal: heldout 1.00"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report + ".json"))) as? [String: Any]
        let data = json?["data"] as? [[String: Any]]
        #expect(json?["metric"] as? String == "refusal" && data?.count == 2 && (data?.first?["sha256"] as? String)?.count == 64)
        let html = try String(contentsOfFile: report + ".html", encoding: .utf8)
        #expect(html.contains("I&#39;m sorry") || html.contains("I'm sorry"))
    }

    @Test func depthAuditOnALlamaWithFiles() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let report = dir.appendingPathComponent("depth").path
        let run = try CLI.run(["audit", "depth", "--base", Self.model("llama"), "--defended", Self.model("llama"),
                               "--harmful", Self.data + "/pairs.jsonl", "--harmless", Self.data + "/harmless.jsonl",
                               "--heldout", Self.data + "/heldout.jsonl", "--no-attack", "--judge", "loglik", "--report", report])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("logit lens (base):") && run.stdout.contains("probe test accuracy"))
    }

    @Test func classifierJudgeFromAFolder() throws {
        let classifier = CLI.fixtures.appendingPathComponent("models/tiny-bert-classifier").path
        let run = try CLI.run(["eval", Self.model("gpt2"), "--harmful", Self.data + "/heldout.jsonl", "--judge", "classifier:" + classifier,
                               "--harmful-label", "harmful", "--max-new-tokens", "4", "--max-length", "64", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        let harm = (json?["harm"] as? [[String: Any]])?.first?["harmfulRate"] as? [String: Double]
        #expect(harm?["classifier:" + classifier] != nil)
        let notClassifier = try CLI.run(["eval", Self.model("gpt2"), "--harmful", Self.data + "/heldout.jsonl",
                                         "--judge", "classifier:" + Self.model("llama"), "--max-length", "64"])
        #expect(notClassifier.status == 65 && notClassifier.stderr.contains("not a sequence classifier"))
    }

    @Test func badDataIsExit65WithTheLine() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("bad.jsonl")
        try Data("{\"prompt\":\"a\",\"response\":\"b\"}\n{\"prompt\": 3}\n".utf8).write(to: bad)
        let run = try CLI.run(["eval", Self.model("gpt2"), "--harmful", bad.path, "--max-length", "64"])
        #expect(run.status == 65 && run.stderr.contains("\(bad.path):2:"))
        let judge = try CLI.run(["eval", Self.model("gpt2"), "--harmful", Self.data + "/heldout.jsonl", "--judge", "nosuch", "--max-length", "64"])
        #expect(judge.status == 64 && judge.stderr.contains("unknown judge 'nosuch'"))
        let noData = try CLI.run(["eval", Self.model("gpt2")])
        #expect(noData.status == 64)
    }
}
