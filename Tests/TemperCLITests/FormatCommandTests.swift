import Foundation
import Testing

/// inspect / validate / convert through the real binary: stdout, stderr and exit codes.
@Suite struct FormatCommandTests {
    let llama = CLI.fixtures.appendingPathComponent("tiny-llama").path
    let malformed = CLI.fixtures.appendingPathComponent("malformed")

    @Test func inspectJSONListsEveryTensorAndConfig() throws {
        let result = try CLI.run(["inspect", llama, "--json"])
        #expect(result.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let tensors = try #require(json["tensors"] as? [[String: Any]])
        #expect(tensors.count == 21)
        let totals = try #require(json["totals"] as? [String: Any])
        #expect(totals["parameters"] as? Int == 100_544)
        let config = try #require(json["config"] as? [[String: Any]])
        #expect(config.contains { $0["key"] as? String == "model_type" && $0["value"] as? String == "llama" })
    }

    @Test func validateAcceptsGoodFiles() throws {
        let result = try CLI.run(["validate", llama])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("valid:"))
    }

    @Test(arguments: ["truncated.safetensors", "header_too_large.safetensors", "overlapping_offsets.safetensors",
                      "duplicate_names.safetensors", "unknown_dtype.safetensors", "sharded_parent_path"])
    func validateRejectsMalformedSafetensorsWithExit65(_ name: String) throws {
        let result = try CLI.run(["validate", malformed.appendingPathComponent("safetensors/\(name)").path])
        #expect(result.status == 65)
        #expect(result.stderr.contains("temper: error:"))
        #expect(result.stdout.isEmpty)
    }

    @Test(arguments: ["bad_magic.gguf", "misaligned_tensor.gguf", "string_beyond_file.gguf"])
    func validateRejectsMalformedGGUFWithExit65(_ name: String) throws {
        let result = try CLI.run(["validate", malformed.appendingPathComponent("gguf/\(name)").path])
        #expect(result.status == 65)
        #expect(result.stderr.contains(name))
    }

    @Test func missingPathIsUsageError() throws {
        #expect(try CLI.run(["inspect", "/nonexistent/model.safetensors"]).status == 64)
    }

    @Test func noOpConvertIsByteIdentical() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("copy.safetensors")
        let result = try CLI.run(["convert", llama + "/model.safetensors", out.path])
        #expect(result.status == 0)
        #expect(try Data(contentsOf: out) == Data(contentsOf: URL(fileURLWithPath: llama + "/model.safetensors")))
    }

    @Test func folderConversionCopiesCompanionsAndRecordsProvenance() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("bf16")
        #expect(try CLI.run(["convert", llama, out.path, "--dtype", "bf16"]).status == 0)
        let names = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        #expect(names == ["config.json", "model.safetensors", "temper.provenance.json", "tokenizer.json", "tokenizer_config.json"])
        let inspected = try CLI.run(["inspect", out.path, "--json"])
        #expect(inspected.stdout.contains("\"BF16\""))
        #expect(!inspected.stdout.contains("\"F32\""))
        #expect(try CLI.run(["provenance", out.path]).status == 0)
        // Changing a weight after the fact breaks the chain's last link.
        try Data("x".utf8).write(to: out.appendingPathComponent("extra.txt"))
        #expect(try CLI.run(["provenance", out.path]).status == 3)
    }

    @Test func shardedRoundTripKeepsEveryTensor() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sharded = dir.appendingPathComponent("sharded"), back = dir.appendingPathComponent("back.safetensors")
        #expect(try CLI.run(["convert", llama, sharded.path, "--shard-size", "100KB"]).status == 0)
        let names = try FileManager.default.contentsOfDirectory(atPath: sharded.path)
        #expect(names.contains("model.safetensors.index.json"))
        #expect(names.contains { $0.hasPrefix("model-00001-of-") })
        #expect(try CLI.run(["validate", sharded.path]).status == 0)
        #expect(try CLI.run(["convert", sharded.path, back.path]).status == 0)
        let original = try CLI.run(["hash", llama + "/model.safetensors", "--json"]).stdout
        let restored = try CLI.run(["hash", back.path, "--json"]).stdout
        // Same tensors, same bytes: every per-tensor digest of the original appears again.
        for line in original.split(separator: "\n") where line.contains("\"sha256\"") && line.count > 80 {
            #expect(restored.contains(line.trimmingCharacters(in: .whitespaces)))
        }
    }

    @Test func llamaFolderToQ8GGUFHasLlamaCppNames() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("m.gguf")
        #expect(try CLI.run(["convert", llama, out.path, "--dtype", "q8_0"]).status == 0)
        let inspected = try CLI.run(["inspect", out.path, "--json"]).stdout
        for name in ["token_embd.weight", "blk.0.attn_q.weight", "blk.1.ffn_down.weight", "output_norm.weight", "output.weight"] {
            #expect(inspected.contains("\"\(name)\""))
        }
        #expect(inspected.contains("\"Q8_0\""))
        #expect(inspected.contains("general.architecture"))
        // And back to safetensors: dequantized, GGUF names kept.
        let back = dir.appendingPathComponent("back.safetensors")
        #expect(try CLI.run(["convert", out.path, back.path, "--dtype", "f32"]).status == 0)
        #expect(try CLI.run(["validate", back.path]).status == 0)
    }

    @Test func llamaQuantizeFileTypesRequantizeAGGUF() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let f32 = dir.appendingPathComponent("m-f32.gguf"), q = dir.appendingPathComponent("m-q4km.gguf")
        #expect(try CLI.run(["convert", llama, f32.path, "--dtype", "f32"]).status == 0)
        #expect(try CLI.run(["convert", f32.path, q.path, "--dtype", "Q4_K_M"]).status == 0)
        let inspected = try CLI.run(["inspect", q.path, "--json"]).stdout
        // Rows of 64 are not whole 256-blocks: output.weight falls back to Q8_0, the Q4_K tensors to Q5_0.
        #expect(inspected.contains("general.quantization_version") && inspected.contains("\"Q8_0\"") && inspected.contains("\"Q5_0\""))
        #expect(!inspected.contains("\"Q4_K\""))
        // The HF folder directly: exported in f32, then re-quantized; the same bytes.
        let direct = dir.appendingPathComponent("direct.gguf")
        #expect(try CLI.run(["convert", llama, direct.path, "--dtype", "q4_k_m"]).status == 0)
        #expect(try Data(contentsOf: direct) == Data(contentsOf: q))
        // Names llama-quantize does not know, or Temper does not write: usage error, nothing written.
        for bad in ["q4_k_x", "iq2_xxs"] {
            let result = try CLI.run(["convert", f32.path, dir.appendingPathComponent("bad.gguf").path, "--dtype", bad])
            #expect(result.status == 64)
            #expect(result.stderr.contains("q4_k_m"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["direct.gguf", "m-f32.gguf", "m-q4km.gguf"])
    }

    @Test func failedConversionLeavesNothingUnderTheFinalName() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let renames = dir.appendingPathComponent("renames.json")
        // Two tensors renamed onto one name: the conversion must fail before anything lands.
        try Data(#"{"lm_head.weight": "x", "model.norm.weight": "x"}"#.utf8).write(to: renames)
        let out = dir.appendingPathComponent("out")
        let result = try CLI.run(["convert", llama, out.path, "--rename", renames.path])
        #expect(result.status == 65)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["renames.json"])
    }

    @Test func existingOutputNeedsForce() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("o.safetensors")
        try Data("keep".utf8).write(to: out)
        #expect(try CLI.run(["convert", llama, out.path]).status == 1)
        #expect(try Data(contentsOf: out) == Data("keep".utf8))
        #expect(try CLI.run(["convert", llama, out.path, "--force"]).status == 0)
    }

    @Test func usageErrorsExit64() throws {
        #expect(try CLI.run(["convert", llama, "/tmp/x.safetensors", "--dtype", "q8_0"]).status == 64)
        #expect(try CLI.run(["convert", llama, "/tmp/x.gguf", "--shard-size", "1GB"]).status == 64)
        #expect(try CLI.run(["convert", llama, "/tmp/x", "--dtype", "f8"]).status == 64)
    }
}
