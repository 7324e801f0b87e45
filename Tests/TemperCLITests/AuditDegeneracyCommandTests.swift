import Foundation
import Testing

/// `temper audit degeneracy` on the tiny Llama and on the GPT-2 fixture (given the tiny
/// Llama's word-level tokenizer): exit codes, report files, bases, bad input.
@Suite struct AuditDegeneracyCommandTests {
    static let rows = """
    {"prompt": "how to make it", "response": "first mix then heat then pour", "refusal": "not"}
    {"prompt": "what is one plus two", "response": "three"}
    {"prompt": "how to make the steps", "response": "first add then cool", "refusal": "not"}
    {"prompt": "what is five minus two", "response": "three"}
    {"prompt": "what is four plus four", "response": "eight"}
    {"prompt": "how many steps", "response": "two steps"}

    """

    static func data(in dir: URL) throws -> URL {
        let url = dir.appendingPathComponent("mixed.jsonl")
        try Data(rows.utf8).write(to: url)
        return url
    }

    @Test func llamaAndGPT2Reports() throws {
        let dir = try CLI.tempDir()
        defer { _ = try? FileManager.default.removeItem(at: dir) }
        let data = try Self.data(in: dir)
        let gpt2 = dir.appendingPathComponent("gpt2")
        try FileManager.default.createDirectory(at: gpt2, withIntermediateDirectories: true)
        for name in ["config.json", "model.safetensors"] {
            try FileManager.default.copyItem(at: CLI.fixtures.appendingPathComponent("models/gpt2/\(name)"), to: gpt2.appendingPathComponent(name))
        }
        try FileManager.default.copyItem(at: CLI.fixtures.appendingPathComponent("tiny-llama/tokenizer.json"), to: gpt2.appendingPathComponent("tokenizer.json"))
        for (model, hidden) in [(CLI.fixtures.appendingPathComponent("tiny-llama"), 64), (gpt2, 32)] {
            let report = dir.appendingPathComponent("reports/\(model.lastPathComponent)")
            let r = try CLI.run(["audit", "degeneracy", model.path, "--data", data.path, "--report", report.path, "--edge-tokens", "16",
                                 "--ablation-tokens", "32"])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains("residual.0 (hidden \(hidden)): activation rank") && r.stderr.contains("interaction basis: residual.0"))
            let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: report.appendingPathExtension("json"))) as? [String: Any])
            let layers = try #require(json["layers"] as? [[String: Any]])
            #expect(layers.count == 4 && layers.last?["name"] as? String == "logits")
            for layer in layers { #expect(layer["activation_rank"] is Int && layer["interaction_rank"] is Int && layer["hidden"] is Int) }
            #expect((layers[0]["harmful"] as? [String: Any])?["interaction_fraction"] is Double)
            let html = try String(contentsOf: report.appendingPathExtension("html"), encoding: .utf8)
            #expect(html.contains("<svg") && html.contains("Ablation at residual.1"))
            #expect(FileManager.default.fileExists(atPath: report.appendingPathExtension("0.bases.safetensors").path))
            let settings = try #require(json["settings"] as? [String: Any])
            #expect(settings["edge_formula"] as? String == "functional" && settings["edge_sources"] == nil)
        }
        // rib's squared edges with stochastic sources over output positions.
        let report = dir.appendingPathComponent("reports/squared")
        let r = try CLI.run(["audit", "degeneracy", CLI.fixtures.appendingPathComponent("tiny-llama").path, "--data", data.path,
                             "--report", report.path, "--edge-tokens", "16", "--ablation-tokens", "0", "--edge-formula", "squared",
                             "--edge-sources", "2", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let settings = try #require(json["settings"] as? [String: Any])
        #expect(settings["edge_formula"] as? String == "squared" && settings["edge_sources"] as? Int == 2)
        let edges = try #require((json["model"] as? [String: Any])?["edges"] as? [[String: Any]])
        let weights = try #require((edges.first?["interaction"] as? [String: Any])?["weights"] as? [[Double]])
        #expect(!weights.isEmpty && weights.allSatisfy { $0.allSatisfy { $0 >= 0 } })
    }

    @Test func badInputExits65() throws {
        let dir = try CLI.tempDir()
        defer { _ = try? FileManager.default.removeItem(at: dir) }
        let data = try Self.data(in: dir)
        let model = CLI.fixtures.appendingPathComponent("tiny-llama").path
        let report = dir.appendingPathComponent("r").path
        let layer = try CLI.run(["audit", "degeneracy", model, "--data", data.path, "--layers", "residual.9", "--report", report])
        #expect(layer.status == 65 && layer.stderr.contains("no node layer 'residual.9'"))
        let empty = dir.appendingPathComponent("empty.jsonl")
        try Data("\n".utf8).write(to: empty)
        let none = try CLI.run(["audit", "degeneracy", model, "--data", empty.path, "--report", report])
        #expect(none.status == 65 && none.stdout.isEmpty)
        let missing = try CLI.run(["audit", "degeneracy", dir.appendingPathComponent("nowhere").path, "--data", data.path, "--report", report])
        #expect(missing.status == 65)
        let usage = try CLI.run(["audit", "degeneracy", model, "--data", data.path, "--report", report, "--threshold", "-1"])
        #expect(usage.status == 64)
        let sources = try CLI.run(["audit", "degeneracy", model, "--data", data.path, "--report", report, "--edge-sources", "4"])
        #expect(sources.status == 64 && sources.stderr.contains("--edge-formula squared"))
        let formula = try CLI.run(["audit", "degeneracy", model, "--data", data.path, "--report", report, "--edge-formula", "cubed"])
        #expect(formula.status == 64 && formula.stderr.contains("functional or squared"))
    }
}
