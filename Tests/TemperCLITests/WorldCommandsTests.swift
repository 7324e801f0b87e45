import Foundation
import Testing

/// `temper eval` and `temper attack` refuse a model whose tokenizer is not the world's.
@Suite struct WorldCommandsTests {
    /// A copy of the world manifest with another seed (so another language).
    func otherWorld(in dir: URL) throws -> String {
        var manifest = try ModelFixture.json("world/world.json")
        manifest["seed"] = 1
        let world = dir.appendingPathComponent("world1")
        try FileManager.default.createDirectory(at: world, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: manifest).write(to: world.appendingPathComponent("world.json"))
        return world.path
    }

    @Test func evalRefusesAMismatchedTokenizer() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let foreign = try CLI.run(["eval", ModelFixture.tinyLlama, "--world", ModelFixture.world, "--suite", "utility"])
        #expect(foreign.status == 65 && foreign.stderr.contains("does not match the world's tokenizer"))
        let otherSeed = try CLI.run(["eval", ModelFixture.worldModel, "--world", try otherWorld(in: dir), "--suite", "utility"])
        #expect(otherSeed.status == 65 && otherSeed.stderr.contains("the world gives it id"))
        #expect(try CLI.run(["eval", ModelFixture.worldModel, "--world", "/nonexistent/world"]).status == 64)
    }

    @Test func attackRefusesAMismatchedTokenizer() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let report = dir.appendingPathComponent("report").path
        let result = try CLI.run(["attack", ModelFixture.worldModel, "--world", try otherWorld(in: dir), "--data", ModelFixture.harmfulTrain,
                                  "--lrs", "1e-4", "--steps", "1", "--report", report])
        #expect(result.status == 65 && result.stderr.contains("does not match the world's tokenizer"))
        #expect(!FileManager.default.fileExists(atPath: report + ".json"))
        let badData = try CLI.run(["attack", ModelFixture.worldModel, "--world", ModelFixture.world, "--data", "/nonexistent.jsonl",
                                   "--lrs", "1e-4", "--steps", "1", "--report", report])
        #expect(badData.status == 64)
    }
}
