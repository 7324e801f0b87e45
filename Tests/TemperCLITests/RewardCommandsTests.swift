import Foundation
import Testing

/// `temper fixture gridworld`, `explain-reward` and `audit reward-explanations` as the real binary.
@Suite(.serialized) struct RewardCommandsTests {
    func temper(_ args: [String]) throws -> CLIResult { try CLI.run(args) }

    @Test func fixtureExplainAudit() throws {
        let dir = try CLI.tempDir()
        defer { _ = try? FileManager.default.removeItem(at: dir) }
        let grid = dir.appendingPathComponent("grid")
        var r = try temper(["fixture", "gridworld", "--seed", "2", "--out", grid.path, "--side", "6", "--people", "2",
                            "--pairs", "64", "--steps", "40", "--demonstrations", "3"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("gridworld written to") && r.stderr.contains("Bradley–Terry"))
        for name in ["env.json", "policy.safetensors", "demonstrations.json", "reward/config.json", "reward/model.safetensors", "reward/temper.provenance.json"] {
            #expect(FileManager.default.fileExists(atPath: grid.appendingPathComponent(name).path), "\(name)")
        }
        let env = grid.appendingPathComponent("env.json").path, reward = grid.appendingPathComponent("reward").path
        var reports: [String] = []
        for method in ["random", "sc"] {
            let out = dir.appendingPathComponent("cte-\(method)").path
            r = try temper(["explain-reward", reward, "--env", env, "--method", method, "--count", "6", "--report", out])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.hasPrefix("\(method): 6 explanations, mean quality"))
            let html = try String(contentsOfFile: out + ".html", encoding: .utf8)
            #expect(html.components(separatedBy: "<svg").count - 1 == 6)
            reports.append(out + ".json")
        }
        r = try temper(["audit", "reward-explanations", "--reward", reward, "--env", env, "--explanations"] + reports
                       + ["--proxy-seeds", "1", "--report", dir.appendingPathComponent("proxy").path, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect((json["methods"] as? [[String: Any]])?.count == 2)
    }

    @Test func badInputsExit65() throws {
        let dir = try CLI.tempDir()
        defer { _ = try? FileManager.default.removeItem(at: dir) }
        let grid = dir.appendingPathComponent("grid")
        var r = try temper(["fixture", "gridworld", "--seed", "1", "--out", grid.path, "--side", "5", "--people", "1",
                            "--pairs", "16", "--steps", "5", "--demonstrations", "1"])
        #expect(r.status == 0, "\(r.stderr)")
        let reward = grid.appendingPathComponent("reward")
        let broken = dir.appendingPathComponent("broken.json")
        try Data("{\"format\": \"temper.gridworld\"".utf8).write(to: broken)
        r = try temper(["explain-reward", reward.path, "--env", broken.path, "--report", dir.appendingPathComponent("x").path])
        #expect(r.status == 65 && r.stderr.contains("not a gridworld environment"))
        // A reward whose inputs are not the environment's features.
        let config = reward.appendingPathComponent("config.json")
        let text = try String(contentsOf: config, encoding: .utf8).replacingOccurrences(of: "\"time\"", with: "\"temperature\"")
        try Data(text.utf8).write(to: config)
        r = try temper(["explain-reward", reward.path, "--env", grid.appendingPathComponent("env.json").path, "--report", dir.appendingPathComponent("x").path])
        #expect(r.status == 65 && r.stderr.contains("temperature"))
        r = try temper(["explain-reward", reward.path, "--env", grid.appendingPathComponent("env.json").path, "--weights", "speed=1",
                        "--report", dir.appendingPathComponent("x").path])
        #expect(r.status == 64 && r.stderr.contains("--weights"))
    }
}
