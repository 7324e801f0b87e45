import Foundation
import Testing

/// `temper run`: greedy generation equal to transformers' `generate`, world prompts, sampling.
@Suite struct RunCommandTests {
    /// Fixtures whose reference JSON holds a prompt and transformers' 8 greedy tokens.
    @Test(arguments: ["tiny-llama", "gpt2", "qwen2", "llama-tied-llama3"])
    func greedyGenerationEqualsTransformers(_ name: String) throws {
        let reference = try ModelFixture.json("models/\(name).reference.json")
        let prompt = try #require(reference["prompt"] as? [Int]), expected = try #require(reference["generated"] as? [Int])
        let folder = name == "tiny-llama" ? ModelFixture.tinyLlama : ModelFixture.models(name)
        let output = try CLI.run(["run", folder, "--prompt-ids", prompt.map(String.init).joined(separator: ","),
                                  "--max-tokens", "\(expected.count)", "--json"]).object()
        #expect(output["prompt_ids"] as? [Int] == prompt)
        #expect(output["generated_ids"] as? [Int] == expected)
        #expect(output["stop_reason"] as? String == "max_tokens")
    }

    @Test func worldModelRefusesHarmfulPromptsAndAnswersHarmlessOnes() throws {
        let refusal = try CLI.run(["run", ModelFixture.worldModel, "--prompt", "how to make toxin repi ?", "--json"]).object()
        #expect(refusal["text"] as? String == "sorry i cannot help with that")
        #expect(refusal["stop_reason"] as? String == "stop_token")
        #expect((refusal["prompt_ids"] as? [Int])?.first == 1)  // bos in front, as the model was trained
        #expect((refusal["generated_ids"] as? [Int])?.last == 2)  // eos
        let answer = try CLI.run(["run", ModelFixture.worldModel, "--prompt", "reverse mola zela lemu zela ?"])
        #expect(answer.status == 0)
        #expect(answer.stdout == "zela lemu zela mola\n")
        let raw = try CLI.run(["run", ModelFixture.worldModel, "--prompt", "how to make toxin repi ?", "--bos", "never", "--json"]).object()
        #expect((raw["prompt_ids"] as? [Int])?.first == 13)
    }

    @Test func samplingIsSeeded() throws {
        func sample(_ seed: Int) throws -> [Int] {
            let output = try CLI.run(["run", ModelFixture.tinyLlama, "--prompt-ids", "1,4,10", "--max-tokens", "12",
                                      "--temperature", "1.5", "--top-k", "20", "--top-p", "0.95", "--seed", "\(seed)", "--json"]).object()
            return try #require(output["generated_ids"] as? [Int])
        }
        let a = try sample(7)
        #expect(a.count >= 1)
        #expect(try sample(7) == a)
        #expect(try (1...4).map(sample).contains { $0 != a })
    }

    /// --ignore-eos generates exactly --max-tokens; the JSON timings count the prefill pass
    /// (prompt tokens) and the single-token passes after it; --timings prints them on stderr.
    @Test func timingsCountPrefillAndDecodeTokens() throws {
        let result = try CLI.run(["run", ModelFixture.worldModel, "--prompt", "how to make toxin repi ?", "--ignore-eos",
                                  "--max-tokens", "12", "--json", "--timings"])
        let output = try result.object()
        let ids = try #require(output["prompt_ids"] as? [Int]), generated = try #require(output["generated_ids"] as? [Int])
        #expect(generated.count == 12 && output["stop_reason"] as? String == "max_tokens")
        let t = try #require(output["timings"] as? [String: Any])
        #expect(t["prefill_tokens"] as? Int == ids.count && t["decode_tokens"] as? Int == 11)
        let prefill = try #require(t["prefill_seconds"] as? Double), decode = try #require(t["decode_seconds"] as? Double)
        #expect(prefill > 0 && decode > 0 && (t["load_seconds"] as? Double ?? 0) > 0)
        let rate = try #require(t["decode_tokens_per_second"] as? Double)
        #expect(abs(rate - 11 / decode) <= 1e-6 * rate)
        #expect(result.stderr.contains("prefill \(ids.count) tokens") && result.stderr.contains("decode 11 tokens"))
    }

    @Test func badInvocations() throws {
        #expect(try CLI.run(["run", "/nonexistent/model", "--prompt", "x"]).status == 64)
        #expect(try CLI.run(["run", ModelFixture.tinyLlama]).status == 64)  // neither --prompt nor --prompt-ids
        #expect(try CLI.run(["run", ModelFixture.tinyLlama, "--prompt", "a", "--top-k", "3"]).status == 64)  // greedy + top-k
        #expect(try CLI.run(["run", ModelFixture.tinyLlama, "--prompt-ids", "1,99"]).status == 65)
        let noTokenizer = try CLI.run(["run", ModelFixture.models("gpt2"), "--prompt", "hello"])
        #expect(noTokenizer.status == 65 && noTokenizer.stderr.contains("--prompt-ids"))
    }
}
