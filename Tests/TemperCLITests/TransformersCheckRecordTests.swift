import Foundation
import Testing
import TemperIntegrity

/// Fixtures/world/transformers-check.json, written by check_world_with_transformers.py:
/// the recorded agreement holds, the record is for the committed weights, and `temper logits`
/// still reproduces transformers' logits for the recorded sequence (no Python needed).
@Suite struct TransformersCheckRecordTests {
    let record: [String: Any]

    init() throws { record = try ModelFixture.json("world/transformers-check.json") }

    @Test func recordedAgreementIsWithinTolerance() throws {
        let difference = try #require((record["max_abs_diff"] as? NSNumber)?.doubleValue)
        #expect(difference < 1e-3)
        #expect(record["ok"] as? Bool == true)
        let sequences = try #require(record["sequences"] as? [[String: Any]])
        #expect(sequences.count >= 4)
    }

    @Test func recordIsForTheCommittedWeights() throws {
        let weights = try Data(contentsOf: CLI.fixtures.appendingPathComponent("world/model/model.safetensors"))
        #expect(record["model_safetensors_sha256"] as? String == SHA256Digest.of(weights).hex,
                "the world model changed: re-run Fixtures/world/check_world_with_transformers.py")
    }

    @Test func temperLogitsReproduceTheRecordedTransformersLogits() throws {
        let reference = try #require(record["reference"] as? [String: Any])
        let ids = try #require(reference["ids"] as? [Int])
        let expected = try numberRows(reference["logits"])
        #expect(expected.count == ids.count && ids.first == 1)
        let output = try CLI.run(["logits", ModelFixture.worldModel, "--ids", ids.map(String.init).joined(separator: ","), "--json"]).object()
        let difference = maxAbsDifference(try numberRows(output["logits"]), expected)
        #expect(difference < 1e-4, "max |Δ| \(difference)")
    }
}
