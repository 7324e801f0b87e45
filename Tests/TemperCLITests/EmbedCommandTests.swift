import Foundation
import Testing
import TemperFormats

/// `temper embed`: mean-pooled BERT embeddings equal to sentence-transformers' pooling in torch.
@Suite struct EmbedCommandTests {
    @Test func embeddingsEqualTheTransformersReference() throws {
        let reference = try ModelFixture.json("models/bert.reference.json")
        let texts = try #require(reference["texts"] as? [String])
        let file = try SafetensorsFile(url: CLI.fixtures.appendingPathComponent("models/bert.reference.safetensors"))
        let record = try #require(file.record(named: "mean_pooled"))
        let flat = try HalfPrecision.toFloat32(try file.bytes(of: record), dtype: record.dtype, tensor: "mean_pooled")
        let dimension = try #require(record.shape.last)
        let expected = stride(from: 0, to: flat.count, by: dimension).map { flat[$0..<($0 + dimension)].map(Double.init) }

        var args = ["embed", ModelFixture.models("bert"), "--json"]
        for text in texts { args += ["--text", text] }
        let output = try CLI.run(args).object()
        #expect(output["dimension"] as? Int == dimension)
        #expect(output["texts"] as? [String] == texts)
        let difference = maxAbsDifference(try numberRows(output["embeddings"]), expected)
        #expect(difference <= 1e-4, "max |Δ| \(difference)")

        let lines = try CLI.run(["embed", ModelFixture.models("bert"), "--text", texts[0]]).stdout.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].split(separator: " ").count == dimension)
    }

    @Test func refusesDecodersAndMissingFolders() throws {
        let decoder = try CLI.run(["embed", ModelFixture.tinyLlama, "--text", "a"])
        #expect(decoder.status == 65 && decoder.stderr.contains("BERT"))
        #expect(try CLI.run(["embed", "/nonexistent/bert", "--text", "a"]).status == 64)
        #expect(try CLI.run(["embed", ModelFixture.models("bert")]).status == 64)
    }
}
