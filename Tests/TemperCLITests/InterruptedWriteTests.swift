import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `temper` killed with SIGKILL at random points, and writing under a file-size limit:
/// the previous output stays intact or the new one is complete, never a partial file under
/// a final name, and what an interrupted run left is cleaned by the next one.
@Suite(.serialized) struct InterruptedWriteTests {
    static let model = CLI.fixtures.appendingPathComponent("world/model")

    /// Starts `temper args`, kills it with SIGKILL after `delay` seconds (or lets it finish).
    static func killed(_ args: [String], after delay: Double) throws {
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        usleep(useconds_t(delay * 1_000_000))
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
    }

    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = Date()
        try body()
        return Date().timeIntervalSince(start)
    }

    /// A safetensors folder (convert) and a single GGUF file (quantize), each replaced under kills.
    @Test(arguments: [("out", "f16", "bf16"), ("out.gguf", "q8_0", "q4_k_m")])
    func convertKilledAtRandomKeepsTheOldOutputOrWritesTheNewOne(name: String, oldType: String, newType: String) throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent(name)
        #expect(try CLI.run(["convert", Self.model.path, out.path, "--dtype", oldType]).status == 0)
        let old = try CLI.run(["hash", out.path, "--json"]).stdout
        let timing = dir.appendingPathComponent("timing-" + name)
        let full = try Self.seconds { _ = try CLI.run(["convert", Self.model.path, timing.path, "--dtype", newType]) }
        let newDigest = try CLI.run(["hash", timing.path, "--json"]).stdout.replacingOccurrences(of: "timing-", with: "")
        try FileManager.default.removeItem(at: timing)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            try Self.killed(["convert", Self.model.path, out.path, "--dtype", newType, "--force"], after: Double.random(in: 0...(full * 1.2), using: &generator))
            let now = try CLI.run(["hash", out.path, "--json"])
            #expect(now.status == 0, "no whole folder under the final name after a kill")
            #expect(now.stdout == old || now.stdout == newDigest, "the folder is neither the old nor the new conversion")
            let back = try CLI.run(["convert", Self.model.path, out.path, "--dtype", oldType, "--force"])
            #expect(back.status == 0, "\(back.stderr)")
        }
        // Only staging names are left beside OUT, and a later run clears them (leftovers from
        // the same second as its start are kept, so wait one).
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".") }
        #expect(names.allSatisfy { $0.contains(".temper-") })
        sleep(2)
        #expect(try CLI.run(["convert", Self.model.path, out.path, "--dtype", oldType, "--force"]).status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".") }.isEmpty)
    }

    @Test func reSigningKilledAtRandomAlwaysVerifies() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let folder = dir.appendingPathComponent("m")
        try FileManager.default.copyItem(at: Self.model, to: folder)
        let key = dir.appendingPathComponent("k.pem").path, pub = dir.appendingPathComponent("k.pub.pem").path
        #expect(try CLI.run(["keygen", "--out", key]).status == 0)
        #expect(try CLI.run(["sign", folder.path, "--key", key]).status == 0)
        let full = try Self.seconds { _ = try CLI.run(["sign", folder.path, "--key", key]) }
        for _ in 0..<50 {
            try Self.killed(["sign", folder.path, "--key", key], after: Double.random(in: 0...(full * 1.2)))
            let v = try CLI.run(["verify", folder.path, "--key", pub])
            #expect(v.status == 0, "after a kill the folder does not verify: \(v.stdout) \(v.stderr)")
        }
    }

    /// `harden --state` killed mid-training, then run again: it resumes and writes exactly the
    /// weights an uninterrupted run writes (same manifest).
    @Test func hardenKilledWithStateResumesToTheSameWeights() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let world = CLI.fixtures.appendingPathComponent("world").path
        func harden(_ out: URL, state: URL?) -> [String] {
            ["harden", "repnoise", Self.model.path, out.path, "--world", world, "--steps", "12", "--force"]
                + (state.map { ["--state", $0.path, "--save-every", "3"] } ?? [])
        }
        let reference = dir.appendingPathComponent("reference")
        var status: Int32 = -1
        let full = try Self.seconds { status = try CLI.run(harden(reference, state: nil)).status }
        #expect(status == 0)
        let expected = try CLI.run(["hash", reference.path, "--json"]).stdout
        var resumed = 0
        for trial in 0..<5 {
            let out = dir.appendingPathComponent("out\(trial)"), state = dir.appendingPathComponent("state\(trial)")
            try Self.killed(harden(out, state: state), after: full * Double.random(in: 0.4...0.95))
            let again = try CLI.run(harden(out, state: state))
            #expect(again.status == 0, "\(again.stderr)")
            if again.stderr.contains("resumed from") { resumed += 1 }
            #expect(try CLI.run(["hash", out.path, "--json"]).stdout == expected, "a resumed run wrote other weights")
        }
        #expect(resumed > 0, "no kill landed after a saved state; the test did not exercise resuming")
    }

    /// `finetune --save-every` killed at random: rerun with --resume when a state was saved
    /// (without it otherwise), the weights equal an uninterrupted run's byte for byte (the
    /// provenance differs: it records the step a run resumed from).
    @Test func finetuneKilledResumesToTheSameWeights() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = CLI.fixtures.appendingPathComponent("world/data/harmful_a_train.jsonl").path
        func finetune(_ out: URL, resume: Bool) -> [String] {
            ["finetune", Self.model.path, "--data", data, "--out", out.path, "--steps", "12", "--batch", "4", "--lr", "1e-3",
             "--save-every", "3", "--force"] + (resume ? ["--resume"] : [])
        }
        let reference = dir.appendingPathComponent("reference")
        var status: Int32 = -1
        let full = try Self.seconds { status = try CLI.run(finetune(reference, resume: false)).status }
        #expect(status == 0)
        let expected = try Data(contentsOf: reference.appendingPathComponent("model.safetensors"))
        var resumed = 0
        for trial in 0..<5 {
            let out = dir.appendingPathComponent("out\(trial)")
            try Self.killed(finetune(out, resume: false), after: full * Double.random(in: 0.4...0.95))
            let hasState = FileManager.default.fileExists(atPath: out.path + ".finetune-state")
            let again = try CLI.run(finetune(out, resume: hasState))
            #expect(again.status == 0, "\(again.stderr)")
            if hasState { resumed += 1 }
            let weights = try Data(contentsOf: out.appendingPathComponent("model.safetensors"))
            #expect(weights == expected, "trial \(trial) (resumed: \(hasState)) wrote other weights")
        }
        #expect(resumed > 0, "no kill landed after a saved state; the test did not exercise resuming")
    }

    @Test func aFileSizeLimitIsAnErrorAndLeavesNothing() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out")
        // 512 KiB: the world model (3 MB) cannot be written under it.
        let script = "ulimit -f 512; exec \"$0\" convert \"$1\" \"$2\" --dtype f32"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", script, CLI.binary.path, Self.model.path, out.path]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationReason == .exit && p.terminationStatus == 1, "\(p.terminationReason) \(p.terminationStatus): \(message)")
        #expect(message.contains("too large") || message.contains("File too large"), "\(message)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }
}
