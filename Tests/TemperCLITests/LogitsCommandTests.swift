import Foundation
import Testing

/// `temper logits`: equal to transformers' logits, --last, and refusals of bad ids.
@Suite struct LogitsCommandTests {
    @Test func tinyLlamaLogitsEqualTransformers() throws {
        // Written by transformers (Fixtures/make_tiny_llama.py): logits at every position.
        let reference = try ModelFixture.json("tiny-llama.logits.json")
        let ids = try #require(reference["ids"] as? [Int])
        let expected = try numberRows(reference["logits"])
        let output = try CLI.run(["logits", ModelFixture.tinyLlama, "--ids", ids.map(String.init).joined(separator: ","), "--json"]).object()
        #expect(output["ids"] as? [Int] == ids)
        let got = try numberRows(output["logits"])
        #expect(got.count == ids.count && got.allSatisfy { $0.count == 63 })
        let difference = maxAbsDifference(got, expected)
        #expect(difference <= 1e-4, "max |Δ| \(difference)")
    }

    @Test func lastGivesTheFinalRowOnly() throws {
        let all = try numberRows(try CLI.run(["logits", ModelFixture.tinyLlama, "--ids", "1,4,10,20", "--json"]).object()["logits"])
        let last = try numberRows(try CLI.run(["logits", ModelFixture.tinyLlama, "--ids", "1,4,10,20", "--last", "--json"]).object()["logits"])
        #expect(last.count == 1)
        #expect(maxAbsDifference(last, [try #require(all.last)]) <= 1e-6)
        let text = try CLI.run(["logits", ModelFixture.tinyLlama, "--ids", "1,4,10,20", "--last"])
        #expect(text.status == 0 && text.stdout.hasPrefix("position 3 (id 20):"))
    }

    @Test func idsOutsideTheVocabularyAreBadData() throws {
        let result = try CLI.run(["logits", ModelFixture.tinyLlama, "--ids", "1,63", "--json"])
        #expect(result.status == 65)
        #expect(result.stderr.contains("outside the vocabulary 0..<63"))
        #expect(result.stdout.isEmpty)
    }

    @Test func badInvocationsHaveUsageExitCodes() throws {
        #expect(try CLI.run(["logits", "/nonexistent/model", "--ids", "1"]).status == 64)
        #expect(try CLI.run(["logits", ModelFixture.tinyLlama, "--ids", "1,x"]).status == 64)
        #expect(try CLI.run(["logits", ModelFixture.tinyLlama]).status == 64)
    }

    @Test func encoderModelsAreRefused() throws {
        let result = try CLI.run(["logits", ModelFixture.models("bert"), "--ids", "2,5,3"])
        #expect(result.status == 65)
        #expect(result.stderr.contains("not a causal LM"))
    }
}
