import Foundation
import Testing

/// `temper hash --files-of K/N`, `temper manifest merge` and `temper sign --manifest`, as
/// machines sharing the hashing of one folder would run them.
@Suite struct ManifestCommandTests {
    func temper(_ args: String...) throws -> CLIResult { try CLI.run(args) }

    @Test func partsMergeToTheManifestOfOneMachineAndSign() throws {
        let dir = try CLI.tempDir()
        defer { _ = try? FileManager.default.removeItem(at: dir) }
        let model = dir.appendingPathComponent("m")
        try FileManager.default.copyItem(at: IntegrityCommandsTests.fixtureModel, to: model)
        let whole = dir.appendingPathComponent("whole.json").path
        #expect(try temper("hash", model.path, "--out", whole).status == 0)
        var parts: [String] = []
        for k in 1...3 {
            let part = dir.appendingPathComponent("part\(k).json").path
            let r = try temper("hash", model.path, "--files-of", "\(k)/3", "--out", part)
            #expect(r.status == 0, "\(r.stderr)")
            parts.append(part)
        }
        let merged = dir.appendingPathComponent("merged.json").path
        let merge = try CLI.run(["manifest", "merge"] + parts + ["--out", merged])
        #expect(merge.status == 0, "\(merge.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: merged)) == Data(contentsOf: URL(fileURLWithPath: whole)))
        // Missing part: bad data (65), nothing written.
        let missing = dir.appendingPathComponent("missing.json").path
        let short = try CLI.run(["manifest", "merge"] + parts.prefix(2) + ["--out", missing])
        #expect(short.status == 65 && short.stderr.contains("part 3 of 3 is missing"))
        #expect(!FileManager.default.fileExists(atPath: missing))

        let key = dir.appendingPathComponent("k.pem").path, pub = dir.appendingPathComponent("k.pub.pem").path
        #expect(try temper("keygen", "--out", key).status == 0)
        let sign = try temper("sign", model.path, "--key", key, "--manifest", merged)
        #expect(sign.status == 0, "\(sign.stderr)")
        #expect(try temper("verify", model.path, "--key", pub).status == 0)
        // The folder changed after hashing: sign refuses and names the file.
        try Data([1]).write(to: model.appendingPathComponent("late.bin"))
        let stale = try temper("sign", model.path, "--key", key, "--manifest", merged)
        #expect(stale.status == 65 && stale.stderr.contains("late.bin"))
    }

    @Test func filesOfIsValidated() throws {
        let model = IntegrityCommandsTests.fixtureModel.path
        #expect(try temper("hash", model, "--files-of", "0/2", "--out", "/tmp/x.json").status == 64)
        #expect(try temper("hash", model, "--files-of", "3/2", "--out", "/tmp/x.json").status == 64)
        #expect(try temper("hash", model, "--files-of", "1/2").status == 64)
    }
}
