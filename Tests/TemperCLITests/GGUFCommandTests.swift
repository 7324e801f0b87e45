import Foundation
import Testing

/// A llama.cpp GGUF used directly by `logits`, `tokenize`, `inspect` and `convert`
/// (Fixtures/formats/gguf/hf, made by make_gguf_hf_fixtures.py).
@Suite struct GGUFCommandTests {
    static let gguf = CLI.fixtures.appendingPathComponent("formats/gguf/hf/tiny-llama-q.gguf").path
    static func split(_ i: Int) -> String {
        CLI.fixtures.appendingPathComponent("formats/gguf/hf/tiny-llama-q-split-0000\(i)-of-00003.gguf").path
    }

    @Test func logitsOfTheGGUFEqualThoseOfItsConvertedFolder() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let folder = dir.appendingPathComponent("hf").path
        let converted = try CLI.run(["convert", Self.gguf, folder, "--json"])
        #expect(converted.status == 0, "\(converted.stderr)")
        let files = try #require(try converted.object()["files"] as? [String])
        #expect(Set(["model.safetensors", "config.json", "tokenizer.json", "tokenizer_config.json"]).isSubset(of: files))
        // A GGUF under a misleading name is still read as GGUF (magic bytes, not the name).
        let renamed = dir.appendingPathComponent("weights.safetensors").path
        try FileManager.default.copyItem(atPath: Self.gguf, toPath: renamed)
        let ids = "1,40,41,7,298"
        let fromFolder = try CLI.run(["logits", folder, "--ids", ids, "--json"])
        #expect(fromFolder.status == 0, "\(fromFolder.stderr)")
        for model in [Self.gguf, renamed, Self.split(1)] {
            let direct = try CLI.run(["logits", model, "--ids", ids, "--json"])
            #expect(direct.status == 0, "\(direct.stderr)")
            #expect(direct.stdout == fromFolder.stdout, "\(model)")
        }
    }

    /// transformers 5 `from_pretrained(gguf_file=…)` logits, written by make_gguf_hf_fixtures.py.
    @Test(arguments: ["tiny-llama-q", "tiny-qwen2-q"])
    func logitsOfTheGGUFEqualTransformers(_ stem: String) throws {
        let reference = try ModelFixture.json("formats/gguf/hf/logits.json")
        let ids = try #require(reference["ids"] as? [Int])
        let expected = try numberRows(reference[stem])
        let model = CLI.fixtures.appendingPathComponent("formats/gguf/hf/\(stem).gguf").path
        let result = try CLI.run(["logits", model, "--ids", ids.map(String.init).joined(separator: ","), "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let got = try numberRows(try result.object()["logits"])
        #expect(got.count == ids.count && got.allSatisfy { $0.count == 299 })
        let difference = maxAbsDifference(got, expected)
        #expect(difference <= 1e-4, "max |Δ| \(difference)")
    }

    @Test func tokenizeReadsTheGGUFVocabulary() throws {
        let result = try CLI.run(["tokenize", Self.gguf, "--text", "<|im_start|> the cat 42", "--no-special", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let encodings = try #require(try result.object()["encodings"] as? [[String: Any]])
        let tokens = try #require(encodings.first?["tokens"] as? [String])
        // The control token stays whole; smollm's pre-tokenizer isolates each digit.
        #expect(tokens.first == "<|im_start|>" && tokens.contains("Ġthe") && tokens.suffix(2) == ["4", "2"])
    }

    @Test func inspectSniffsTheFormat() throws {
        let result = try CLI.run(["inspect", Self.gguf, "--json"])
        #expect(result.status == 0)
        #expect(try result.object()["format"] as? String == "gguf")
    }

    @Test func aLaterShardIsRefusedAndNothingIsWritten() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out").path
        let result = try CLI.run(["convert", Self.split(2), out])
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.contains("split.no = 1"))
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
