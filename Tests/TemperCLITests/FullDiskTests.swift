import Foundation
import Testing

/// Every writing command on a real full file system (a small tmpfs, `SmallDisk`): the write
/// fails part way with ENOSPC, and the command exits 1 with one error line that names the
/// output file and says the disk is full, leaves no staging files and no partial output
/// under the final name, and keeps a previous output under that name byte for byte.
@Suite(.serialized, .enabled(if: SmallDisk.unavailable == nil, Comment(rawValue: SmallDisk.unavailable ?? "")))
struct FullDiskTests {
    static let model = CLI.fixtures.appendingPathComponent("world/model")

    /// Runs `args`, then checks the failure: exit 1, exactly one `temper: error:` line that
    /// names `file` (a path under the final name, never a staging name) and the full disk.
    static func expectDiskFull(_ args: [String], naming file: String, disk: SmallDisk,
                               sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try CLI.run(args)
        let errors = r.stderr.split(separator: "\n").filter { $0.hasPrefix("temper: error:") }
        #expect(r.status == 1, "exit \(r.status): \(r.stderr)", sourceLocation: sourceLocation)
        #expect(errors.count == 1, "\(r.stderr)", sourceLocation: sourceLocation)
        let line = errors.first.map(String.init) ?? ""
        #expect(line.contains("No space left on device"), "\(line)", sourceLocation: sourceLocation)
        #expect(line.hasPrefix("temper: error: \(file): ") && !line.contains(".temper-"), "does not name \(file): \(line)",
                sourceLocation: sourceLocation)
        #expect(disk.stagingLeftovers().isEmpty, "left behind: \(disk.stagingLeftovers())", sourceLocation: sourceLocation)
    }

    /// A first write into a fresh name leaves nothing; a replacement keeps the old output.
    @Test func convertToAFolder() throws {
        let disk = try SmallDisk(kilobytes: 8192)
        defer { disk.unmount() }
        let fresh = disk.url.appendingPathComponent("fresh"), out = disk.url.appendingPathComponent("out")
        #expect(try CLI.run(["convert", Self.model.path, out.path, "--dtype", "bf16"]).status == 0)
        let before = SmallDisk.snapshot(out)
        try disk.fill(leaving: 512 << 10)  // the f32 weights are 3.2 MB
        try Self.expectDiskFull(["convert", Self.model.path, fresh.path, "--dtype", "f32"],
                                naming: fresh.appendingPathComponent("model.safetensors").path, disk: disk)
        #expect(!FileManager.default.fileExists(atPath: fresh.path))
        try Self.expectDiskFull(["convert", Self.model.path, out.path, "--dtype", "f32", "--force"],
                                naming: out.appendingPathComponent("model.safetensors").path, disk: disk)
        #expect(SmallDisk.snapshot(out) == before, "the previous output changed")
    }

    /// GGUF files: f16 (plain), q8_0 (Temper's quantizer) and q4_k_m (llama-quantize's
    /// mixture, which stages an f32 intermediate folder first).
    @Test(arguments: ["f16", "q8_0", "q4_k_m"])
    func convertToAGGUFFile(dtype: String) throws {
        let disk = try SmallDisk(kilobytes: 4096)
        defer { disk.unmount() }
        let out = disk.url.appendingPathComponent("out.gguf")
        #expect(try CLI.run(["convert", Self.model.path, out.path, "--dtype", "q4_0"]).status == 0)
        let before = SmallDisk.snapshot(out)
        try disk.fill(leaving: 128 << 10)  // f16 is 1.6 MB, q8_0 0.9 MB, the q4_k_m f32 stage 3.2 MB
        try Self.expectDiskFull(["convert", Self.model.path, out.path, "--dtype", dtype, "--force"], naming: out.path, disk: disk)
        #expect(SmallDisk.snapshot(out) == before, "the previous GGUF changed")
        let fresh = disk.url.appendingPathComponent("fresh.gguf")
        try Self.expectDiskFull(["convert", Self.model.path, fresh.path, "--dtype", dtype], naming: fresh.path, disk: disk)
        #expect(!FileManager.default.fileExists(atPath: fresh.path))
    }

    /// Re-signing a signed folder on a full disk fails before the old signature is touched:
    /// with no byte free, and with 8 KiB free (less than the 14 KB manifest).
    @Test(arguments: [0, 8 << 10])
    func reSignOnAFullDiskKeepsTheOldSignature(leaving: Int) throws {
        let keys = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: keys) }
        let key = keys.appendingPathComponent("k.pem").path, pub = keys.appendingPathComponent("k.pub.pem").path
        #expect(try CLI.run(["keygen", "--out", key]).status == 0)
        let disk = try SmallDisk(kilobytes: 8192)
        defer { disk.unmount() }
        let folder = disk.url.appendingPathComponent("m")
        try FileManager.default.copyItem(at: Self.model, to: folder)
        #expect(try CLI.run(["sign", folder.path, "--key", key]).status == 0)
        let before = SmallDisk.snapshot(folder)
        try disk.fill(leaving: leaving)
        try Self.expectDiskFull(["sign", folder.path, "--key", key], naming: folder.appendingPathComponent("temper.manifest.json").path, disk: disk)
        #expect(SmallDisk.snapshot(folder) == before, "the signed folder changed")
        let verify = try CLI.run(["verify", folder.path, "--key", pub])
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
    }

    /// A training command's output folder (the f32 weights, 3.2 MB): finetune, and harden
    /// repnoise. finetune's resumable state goes to another file system (it is 3 × the
    /// weights), so the output write is what fails.
    @Test(arguments: ["finetune", "harden"])
    func trainingOutputOnAFullDisk(command: String) throws {
        let states = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: states) }
        let disk = try SmallDisk(kilobytes: 8192)
        defer { disk.unmount() }
        let out = disk.url.appendingPathComponent("trained"), fresh = disk.url.appendingPathComponent("fresh")
        func train(_ url: URL, state: String, _ extra: [String] = []) -> [String] {
            let common = ["--steps", "2", "--batch", "4"] + extra
            if command == "harden" {
                return ["harden", "repnoise", Self.model.path, url.path, "--world", CLI.fixtures.appendingPathComponent("world").path] + common
            }
            return ["finetune", Self.model.path, "--data", ModelFixture.harmfulTrain, "--out", url.path,
                    "--state", states.appendingPathComponent(state).path] + common
        }
        let first = try CLI.run(train(out, state: "a"))
        #expect(first.status == 0, "\(first.stderr)")
        let before = SmallDisk.snapshot(out)
        try disk.fill(leaving: 1 << 20)
        try Self.expectDiskFull(train(out, state: "b", ["--force"]), naming: out.appendingPathComponent("model.safetensors").path, disk: disk)
        #expect(SmallDisk.snapshot(out) == before, "the previous output changed")
        try Self.expectDiskFull(train(fresh, state: "c"), naming: fresh.appendingPathComponent("model.safetensors").path, disk: disk)
        #expect(!FileManager.default.fileExists(atPath: fresh.path))
    }
}
