import Foundation
import Testing

/// `temper convert IN out.gguf --split-max-tensors N | --split-max-size SIZE`: shard names and
/// files on stdout, usage errors exit 64, nothing replaced without --force. Byte identity with
/// llama-gguf-split: Tests/TemperFormatsTests/GGUFSplitWriterTests and `make interop`.
@Suite struct GGUFSplitCommandTests {
    static let gguf = GGUFCommandTests.gguf

    @Test func splitsAGGUFIntoShardsThatReadBackAsTheModel() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("model.gguf").path
        let result = try CLI.run(["convert", Self.gguf, out, "--split-max-tensors", "4", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let files = try #require(try result.object()["files"] as? [String])
        let count = files.count
        #expect(count > 1 && files.first == String(format: "model-00001-of-%05d.gguf", count))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == files.sorted())
        // The first shard opens the whole model: the same logits as the unsplit file.
        let whole = try CLI.run(["logits", Self.gguf, "--ids", "1,40,41", "--json"])
        let first = try CLI.run(["logits", dir.appendingPathComponent(files[0]).path, "--ids", "1,40,41", "--json"])
        #expect(first.status == 0 && whole.status == 0, "\(first.stderr)")
        #expect(first.stdout == whole.stdout)
        // Again: the shards exist, so it is refused unless --force.
        let again = try CLI.run(["convert", Self.gguf, out, "--split-max-tensors", "4"])
        #expect(again.status != 0 && again.stderr.contains("already exists"))
        #expect(try CLI.run(["convert", Self.gguf, out, "--split-max-tensors", "4", "--force"]).status == 0)
    }

    @Test func usageErrors() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("m.gguf").path
        for args in [["--split-max-tensors", "2", "--split-max-size", "1M"], ["--split-max-tensors", "0"]] {
            let r = try CLI.run(["convert", Self.gguf, out] + args)
            #expect(r.status == 64, "\(args): \(r.stderr)")
        }
        let st = try CLI.run(["convert", Self.gguf, dir.appendingPathComponent("m.safetensors").path, "--split-max-size", "1M"])
        #expect(st.status == 64)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }
}
