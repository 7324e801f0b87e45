import Foundation
import Testing

/// `finetune --lora-rank`, `--adapter` and `merge-adapter` against peft's numbers
/// (Fixtures/lora/peft-adapter.expected.json).
@Suite struct LoRACommandTests {
    static let peftAdapter = CLI.fixtures.appendingPathComponent("lora/peft-adapter").path
    static let ids = "1,5,9,14,22,30,41,2"

    @Test func adapterAndMergeGivePeftsLogits() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let expected = try ModelFixture.json("lora/peft-adapter.expected.json")
        let adapted = try CLI.run(["logits", ModelFixture.tinyLlama, "--ids", Self.ids, "--adapter", Self.peftAdapter, "--json"]).object()
        #expect(try maxAbsDifference(numberRows(adapted["logits"]), numberRows(expected["adapted_logits"])) <= 1e-4)
        let merged = dir.appendingPathComponent("merged").path
        let merge = try CLI.run(["merge-adapter", ModelFixture.tinyLlama, Self.peftAdapter, merged, "--json"]).object()
        #expect(merge["modules"] as? Int == 8 && merge["scale"] as? Double == 2)
        let logits = try CLI.run(["logits", merged, "--ids", Self.ids, "--json"]).object()
        #expect(try maxAbsDifference(numberRows(logits["logits"]), numberRows(expected["merged_logits"])) <= 1e-4)
        let provenance = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: merged + "/temper.provenance.json"))) as? [[String: Any]])
        #expect(provenance.last?["operation"] as? String == "merge-adapter")
        #expect(try CLI.run(["merge-adapter", ModelFixture.models("qwen2"), Self.peftAdapter, dir.appendingPathComponent("bad").path]).status == 65)
        // embed takes a BERT adapter too.
        let bertAdapter = CLI.fixtures.appendingPathComponent("lora/bert-adapter").path
        let plain = try CLI.run(["embed", ModelFixture.models("bert"), "--text", "Hot toxins!", "--json"]).object()
        let adaptedEmbedding = try CLI.run(["embed", ModelFixture.models("bert"), "--text", "Hot toxins!", "--adapter", bertAdapter, "--json"]).object()
        #expect(try maxAbsDifference(numberRows(plain["embeddings"]), numberRows(adaptedEmbedding["embeddings"])) > 1e-3)
        #expect(try CLI.run(["embed", ModelFixture.models("bert"), "--text", "x", "--adapter", Self.peftAdapter]).status == 65)
    }

    @Test func finetuneWritesAPeftAdapterRecordedAsARewriteOfItsBase() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("adapter").path
        let args = ["finetune", ModelFixture.worldModel, "--data", ModelFixture.harmfulTrain, "--steps", "3", "--batch", "4", "--lr", "1e-2",
                    "--seed", "2", "--lora-rank", "4", "--lora-alpha", "16", "--lora-targets", "q_proj,k_proj,v_proj,o_proj", "--lora-dropout", "0.1"]
        let result = try CLI.run(args + ["--out", out, "--json"]).object()
        #expect(result["completed"] as? Bool == true)
        let names = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(names == ["adapter_config.json", "adapter_model.safetensors", "temper.provenance.json"])
        let config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/adapter_config.json"))) as? [String: Any])
        #expect(config["r"] as? Int == 4 && config["lora_alpha"] as? Int == 16 && config["peft_type"] as? String == "LORA")
        #expect(config["target_modules"] as? [String] == ["k_proj", "o_proj", "q_proj", "v_proj"])
        #expect(config["base_model_name_or_path"] as? String == ModelFixture.worldModel)
        let tensors = try #require(try CLI.run(["inspect", out + "/adapter_model.safetensors", "--json"]).object()["tensors"] as? [[String: Any]])
        #expect(tensors.count == 4 * 4 * 2 && tensors.contains { $0["name"] as? String == "base_model.model.model.layers.3.self_attn.o_proj.lora_B.weight" })
        let records = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/temper.provenance.json"))) as? [[String: Any]])
        let hashLines = try CLI.run(["hash", ModelFixture.worldModel]).stdout.split(separator: "\n")
        let baseDigest = try #require(hashLines.last?.split(separator: " ").last.map(String.init))
        #expect(records.last?["base_manifest_sha256"] as? String == baseDigest)
        #expect((records.last?["config"] as? [String: Any])?["trainable"] as? String == "lora")
        // The same run again gives the same adapter bytes (seeded init and dropout).
        let again = dir.appendingPathComponent("again").path
        #expect(try CLI.run(args + ["--out", again]).status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: again + "/adapter_model.safetensors")) == Data(contentsOf: URL(fileURLWithPath: out + "/adapter_model.safetensors")))
        // The adapter changes the model's logits; --lora-* without --lora-rank is a usage error.
        let base = try CLI.run(["logits", ModelFixture.worldModel, "--ids", "1,7,30", "--json"]).object()
        let tuned = try CLI.run(["logits", ModelFixture.worldModel, "--ids", "1,7,30", "--adapter", out, "--json"]).object()
        #expect(try maxAbsDifference(numberRows(base["logits"]), numberRows(tuned["logits"])) > 1e-3)
        #expect(try CLI.run(["finetune", ModelFixture.worldModel, "--data", ModelFixture.harmfulTrain, "--out", dir.appendingPathComponent("x").path, "--lora-alpha", "4"]).status == 64)
    }

    @Test func loraRunsResumeAndContinue() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = ["finetune", ModelFixture.worldModel, "--data", ModelFixture.harmfulTrain, "--steps", "4", "--batch", "4", "--lr", "1e-2",
                    "--seed", "1", "--lora-rank", "2", "--lora-dropout", "0.2"]
        let whole = dir.appendingPathComponent("whole").path, parts = dir.appendingPathComponent("parts").path
        #expect(try CLI.run(args + ["--out", whole]).status == 0)
        #expect(try CLI.run(args + ["--out", parts, "--stop-after", "2"]).status == 0)
        #expect(try CLI.run(args + ["--out", parts, "--resume"]).status == 0)
        let file = "/adapter_model.safetensors"
        #expect(try Data(contentsOf: URL(fileURLWithPath: parts + file)) == Data(contentsOf: URL(fileURLWithPath: whole + file)))
        // --adapter continues an existing adapter (its settings, new weights); with --lora-rank it is a usage error.
        let more = dir.appendingPathComponent("more").path
        let common = ["finetune", ModelFixture.worldModel, "--data", ModelFixture.harmfulTrain, "--steps", "2", "--batch", "4", "--lr", "1e-2"]
        #expect(try CLI.run(common + ["--adapter", whole, "--out", more]).status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: more + file)) != Data(contentsOf: URL(fileURLWithPath: whole + file)))
        #expect(try Data(contentsOf: URL(fileURLWithPath: more + "/adapter_config.json")) == Data(contentsOf: URL(fileURLWithPath: whole + "/adapter_config.json")))
        #expect(try CLI.run(common + ["--adapter", whole, "--lora-rank", "2", "--out", dir.appendingPathComponent("y").path]).status == 64)
    }
}
