import Foundation
import Testing

/// `temper tokenize`: ids and tokens, special tokens on and off, bad input.
@Suite struct TokenizeCommandTests {
    @Test func worldPromptGivesTheTransformersIds() throws {
        // transformers' ids, recorded by Fixtures/world/check_world_with_transformers.py.
        let record = try ModelFixture.json("world/transformers-check.json")
        let expected = try #require(record["tokenizer"] as? [[String: Any]])
        #expect(expected.count >= 3)
        var args = ["tokenize", ModelFixture.worldModel, "--json"]
        for item in expected { args += ["--text", try #require(item["text"] as? String)] }
        let encodings = try #require(try CLI.run(args).object()["encodings"] as? [[String: Any]])
        #expect(encodings.count == expected.count)
        for (got, want) in zip(encodings, expected) {
            #expect(got["ids"] as? [Int] == want["ids"] as? [Int], "\(want["text"] ?? "")")
        }
        let tokens = try #require(encodings.first?["tokens"] as? [String])
        #expect(tokens.joined(separator: " ") == expected.first?["text"] as? String)
    }

    @Test func specialTokensComeFromThePostProcessorUnlessTurnedOff() throws {
        let with = try #require(try CLI.run(["tokenize", ModelFixture.tinyLlama, "--text", "a", "--json"]).object()["encodings"] as? [[String: Any]])
        let without = try #require(try CLI.run(["tokenize", ModelFixture.tinyLlama, "--text", "a", "--no-special", "--json"])
            .object()["encodings"] as? [[String: Any]])
        let ids = try #require(with.first?["ids"] as? [Int]), bare = try #require(without.first?["ids"] as? [Int])
        #expect(with.first?["tokens"] as? [String] == ["<bos>", "a"])
        #expect(ids == [1] + bare && bare.count == 1)
        let text = try CLI.run(["tokenize", ModelFixture.tinyLlama, "--text", "a"])
        #expect(text.status == 0 && text.stdout.contains("tokens: <bos> a"))
    }

    @Test func badInvocationsHaveUsageExitCodes() throws {
        #expect(try CLI.run(["tokenize", "/nonexistent/model", "--text", "a"]).status == 64)
        #expect(try CLI.run(["tokenize", ModelFixture.tinyLlama]).status == 64)  // no --text
    }

    @Test func malformedTokenizerIsBadData() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(#"{"version": "1.0", "model": {"type": "Unigram", "vocab": []}}"#.utf8).write(to: dir.appendingPathComponent("tokenizer.json"))
        let result = try CLI.run(["tokenize", dir.path, "--text", "a"])
        #expect(result.status == 65)
        #expect(result.stderr.contains("tokenizer.json"))
    }
}
