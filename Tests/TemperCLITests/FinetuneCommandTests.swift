import Foundation
import Testing

/// `temper finetune`: loss goes down, the output is a valid HF folder with provenance, a run
/// stopped and resumed ends with the same bytes as an uninterrupted one, and bad input is refused.
@Suite struct FinetuneCommandTests {
    let base = ["--data", ModelFixture.harmfulTrain, "--lr", "1e-3", "--steps", "6", "--batch", "8", "--seed", "3"]

    func finetune(_ out: URL, _ extra: [String] = [], model: String = ModelFixture.worldModel) throws -> CLIResult {
        try CLI.run(["finetune", model, "--out", out.path] + base + extra)
    }

    /// "name DTYPE shape" of every tensor, sorted (the saver lays tensors out as the
    /// safetensors reference writer does, which may differ from the input's file order).
    func tensorNamesAndTypes(_ folder: String) throws -> [String] {
        let tensors = try #require(try CLI.run(["inspect", folder, "--json"]).object()["tensors"] as? [[String: Any]])
        return tensors.map { "\($0["name"] ?? "") \($0["dtype"] ?? "") \($0["shape"] ?? "")" }.sorted()
    }

    @Test func lowersTheLossAndWritesAValidFolderWithProvenance() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("tuned")
        let result = try finetune(out, ["--json"])
        let summary = try result.object()
        let losses = try #require(summary["losses"] as? [Double])
        #expect(losses.count == 6 && summary["completed"] as? Bool == true)
        #expect(try #require(losses.last) < 0.5 * losses[0], "losses \(losses)")
        #expect(result.stderr.contains("finetune: steps 0→6 of 6"))
        #expect(!FileManager.default.fileExists(atPath: out.path + ".finetune-state"))  // removed once OUT is written

        #expect(try CLI.run(["validate", out.path]).status == 0)
        #expect(try CLI.run(["provenance", out.path]).status == 0)
        #expect(try tensorNamesAndTypes(out.path) == tensorNamesAndTypes(ModelFixture.worldModel))
        let names = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        #expect(names == ["config.json", "model.safetensors", "temper.provenance.json", "tokenizer.json", "tokenizer_config.json"])
        let records = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("temper.provenance.json"))) as? [[String: Any]])
        let config = try #require(records.last?["config"] as? [String: Any])
        #expect(records.last?["operation"] as? String == "finetune" && records.last?["seed"] as? Int == 3)
        #expect(config["steps"] as? Int == 6 && config["batch_size"] as? Int == 8 && config["schedule"] as? String == "cosine")
        #expect((config["data_sha256"] as? String)?.count == 64)
        // The weights changed, and OUT is not silently replaced.
        #expect(try Data(contentsOf: out.appendingPathComponent("model.safetensors")) != Data(contentsOf: URL(fileURLWithPath: ModelFixture.worldModel + "/model.safetensors")))
        #expect(try finetune(out).status == 1)
    }

    @Test func stoppedAndResumedRunEqualsAnUninterruptedOne() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let parts = dir.appendingPathComponent("parts"), whole = dir.appendingPathComponent("whole")
        let state = parts.path + ".finetune-state"
        let first = try finetune(parts, ["--stop-after", "3", "--json"]).object()
        #expect(first["completed"] as? Bool == false && first["step"] as? Int == 3)
        #expect(!FileManager.default.fileExists(atPath: parts.path))
        #expect(FileManager.default.fileExists(atPath: state + "/trainer.json"))

        let again = try finetune(parts)  // a state exists: continuing it must be asked for
        #expect(again.status == 64 && again.stderr.contains("--resume"))
        let resumed = try finetune(parts, ["--resume", "--json"]).object()
        #expect(resumed["start_step"] as? Int == 3 && (resumed["losses"] as? [Double])?.count == 3)
        let uninterrupted = try finetune(whole, ["--json"]).object()
        #expect(Array(try #require(uninterrupted["losses"] as? [Double]).suffix(3)) == resumed["losses"] as? [Double])
        #expect(try Data(contentsOf: parts.appendingPathComponent("model.safetensors")) == Data(contentsOf: whole.appendingPathComponent("model.safetensors")))
        #expect(try CLI.run(["provenance", parts.path]).status == 0)
        #expect(try finetune(dir.appendingPathComponent("other"), ["--resume"]).status == 64)  // nothing to resume
    }

    @Test func keepsTheInputDType() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bf16 = dir.appendingPathComponent("bf16"), out = dir.appendingPathComponent("out")
        #expect(try CLI.run(["convert", ModelFixture.tinyLlama, bf16.path, "--dtype", "bf16"]).status == 0)
        let result = try CLI.run(["finetune", bf16.path, "--out", out.path, "--data", ModelFixture.harmfulTrain, "--steps", "2", "--batch", "4"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try tensorNamesAndTypes(out.path) == tensorNamesAndTypes(bf16.path))
        // The chain carries the conversion record, then the fine-tuning one.
        let chain = try CLI.run(["provenance", out.path, "--json"]).object()
        #expect((chain["records"] as? [[String: Any]])?.map { $0["operation"] as? String } == ["convert", "finetune"])
    }

    @Test func malformedJSONLNamesFileAndLine() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("broken.jsonl")
        try Data("{\"prompt\": \"a\", \"response\": \"b\"}\n{\"prompt\": \"a\", \"respo\n".utf8).write(to: data)
        let result = try CLI.run(["finetune", ModelFixture.worldModel, "--data", data.path, "--out", dir.appendingPathComponent("out").path, "--steps", "1"])
        #expect(result.status == 65)
        #expect(result.stderr.contains("broken.jsonl:2:"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path))
        try Data("{\"prompt\": \"a\"}\n".utf8).write(to: data)
        let missing = try CLI.run(["finetune", ModelFixture.worldModel, "--data", data.path, "--out", dir.appendingPathComponent("out").path, "--steps", "1"])
        #expect(missing.status == 65 && missing.stderr.contains("broken.jsonl:1: missing 'response'"))
    }

    @Test func badInvocationsHaveUsageExitCodes() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out").path
        #expect(try CLI.run(["finetune", "/nonexistent/model", "--data", ModelFixture.harmfulTrain, "--out", out]).status == 64)
        #expect(try CLI.run(["finetune", ModelFixture.worldModel, "--data", "/nonexistent.jsonl", "--out", out]).status == 64)
        #expect(try CLI.run(["finetune", ModelFixture.worldModel, "--data", ModelFixture.harmfulTrain, "--out", out, "--steps", "0"]).status == 64)
        #expect(try CLI.run(["finetune", ModelFixture.worldModel, "--data", ModelFixture.harmfulTrain, "--out", out, "--schedule", "step"]).status == 64)
        #expect(try CLI.run(["finetune", ModelFixture.worldModel, "--data", ModelFixture.harmfulTrain, "--out", out, "--template", "{prompt}"]).status == 64)
    }
}
