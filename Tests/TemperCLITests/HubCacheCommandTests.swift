import Foundation
import Testing
import TemperIntegrity

/// Commands on a Hugging Face cache snapshot (files linked into ../../blobs/) and on
/// `ORG/NAME[@REV]` model ids resolved in $HF_HUB_CACHE.
@Suite struct HubCacheCommandTests {
    static let commit = "fedcba9876543210fedcba9876543210fedcba98"

    /// models--temper--tiny with the tiny Llama's files as blobs, refs/main, and the snapshot.
    static func makeCache() throws -> (cache: URL, snapshot: URL) {
        let cache = try CLI.tempDir()
        let repo = cache.appendingPathComponent("models--temper--tiny")
        let snapshot = repo.appendingPathComponent("snapshots/\(commit)")
        let fm = FileManager.default
        try fm.createDirectory(at: repo.appendingPathComponent("blobs"), withIntermediateDirectories: true)
        try fm.createDirectory(at: repo.appendingPathComponent("refs"), withIntermediateDirectories: true)
        try fm.createDirectory(at: snapshot, withIntermediateDirectories: true)
        try Data(commit.utf8).write(to: repo.appendingPathComponent("refs/main"))
        for name in ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"] {
            let data = try Data(contentsOf: URL(fileURLWithPath: ModelFixture.tinyLlama).appendingPathComponent(name))
            let blob = SHA256Digest.of(data).hex
            try data.write(to: repo.appendingPathComponent("blobs/\(blob)"))
            try fm.createSymbolicLink(atPath: snapshot.appendingPathComponent(name).path, withDestinationPath: "../../blobs/\(blob)")
        }
        return (cache, snapshot)
    }

    @Test func everyCommandReadsASnapshotAndAModelID() throws {
        let (cache, snapshot) = try Self.makeCache()
        defer { try? FileManager.default.removeItem(at: cache) }
        let env = ["HF_HUB_CACHE": cache.path]
        let plain = try CLI.run(["logits", ModelFixture.tinyLlama, "--ids", "1,5,9", "--json"]).object()
        for model in [snapshot.path, "temper/tiny", "temper/tiny@\(Self.commit)"] {
            let logits = try CLI.run(["logits", model, "--ids", "1,5,9", "--json"], environment: env).object()
            #expect(try maxAbsDifference(numberRows(logits["logits"]), numberRows(plain["logits"])) == 0, "\(model)")
            #expect(try CLI.run(["validate", model], environment: env).status == 0)
            #expect(try CLI.run(["inspect", model, "--json"], environment: env).object()["format"] != nil)
        }
        let hashPlain = try CLI.run(["hash", ModelFixture.tinyLlama])
        let hashCached = try CLI.run(["hash", "temper/tiny"], environment: env)
        #expect(hashCached.status == 0 && hashCached.stdout == hashPlain.stdout)
        let out = cache.appendingPathComponent("converted")
        #expect(try CLI.run(["convert", "temper/tiny", out.path, "--dtype", "f16"], environment: env).status == 0)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("tokenizer.json").path))
        let key = cache.appendingPathComponent("k.pem").path
        #expect(try CLI.run(["keygen", "--out", key]).status == 0)
        let sig = cache.appendingPathComponent("snap.sig").path
        #expect(try CLI.run(["sign", "temper/tiny", "--key", key, "--signature", sig], environment: env).status == 0)
        #expect(try CLI.run(["verify", snapshot.path, "--key", cache.appendingPathComponent("k.pub.pem").path, "--signature", sig]).status == 0)
    }

    @Test func finetuneAndMergeReadAModelID() throws {
        let (cache, _) = try Self.makeCache()
        defer { try? FileManager.default.removeItem(at: cache) }
        let env = ["HF_HUB_CACHE": cache.path]
        let data = cache.appendingPathComponent("train.jsonl")
        try Data(#"{"prompt": "what is one plus one", "response": "two"}\#n{"prompt": "color of the door", "response": "red"}\#n"#.utf8).write(to: data)
        let full = cache.appendingPathComponent("full").path, adapter = cache.appendingPathComponent("adapter").path
        let common = ["--data", data.path, "--steps", "2", "--batch", "2", "--lr", "1e-2"]
        #expect(try CLI.run(["finetune", "temper/tiny"] + common + ["--out", full], environment: env).status == 0)
        #expect(FileManager.default.fileExists(atPath: full + "/tokenizer.json"))
        #expect(try CLI.run(["finetune", "temper/tiny"] + common + ["--out", adapter, "--lora-rank", "2"], environment: env).status == 0)
        let config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: adapter + "/adapter_config.json"))) as? [String: Any])
        #expect(config["base_model_name_or_path"] as? String == "temper/tiny" && config["target_modules"] as? [String] == ["q_proj", "v_proj"])
        let merged = cache.appendingPathComponent("merged").path
        #expect(try CLI.run(["merge-adapter", "temper/tiny", adapter, merged], environment: env).status == 0)
        let viaAdapter = try CLI.run(["logits", "temper/tiny", "--ids", "1,5,9", "--adapter", adapter, "--json"], environment: env).object()
        let viaMerge = try CLI.run(["logits", merged, "--ids", "1,5,9", "--json"]).object()
        #expect(try maxAbsDifference(numberRows(viaAdapter["logits"]), numberRows(viaMerge["logits"])) <= 1e-5)
    }

    @Test func unresolvedIDsAndHostileLinksAreRefused() throws {
        let (cache, snapshot) = try Self.makeCache()
        defer { try? FileManager.default.removeItem(at: cache) }
        let missing = try CLI.run(["inspect", "temper/absent"], environment: ["HF_HUB_CACHE": cache.path, "HOME": "/nonexistent"])
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("temper/absent") && missing.stderr.contains(cache.path) && missing.stderr.contains("/nonexistent/.cache/huggingface/hub"))
        #expect(try CLI.run(["inspect", "temper/tiny@v9"], environment: ["HF_HUB_CACHE": cache.path]).status == 64)
        let weights = snapshot.appendingPathComponent("model.safetensors").path
        try FileManager.default.removeItem(atPath: weights)
        try FileManager.default.createSymbolicLink(atPath: weights, withDestinationPath: ModelFixture.tinyLlama + "/model.safetensors")
        let escaped = try CLI.run(["logits", snapshot.path, "--ids", "1"])
        #expect(escaped.status == 65 && escaped.stderr.contains("outside the folder"))
        #expect(try CLI.run(["hash", snapshot.path]).status == 65)
    }
}
