import Foundation
import Testing
@testable import TemperFormats

@Suite struct StaleStagingTests {
    /// A PID that belonged to a process which has exited.
    static func deadPID() throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run()
        p.waitUntilExit()
        return p.processIdentifier
    }

    /// Makes `path` look as if it was written an hour ago.
    static func age(_ path: URL) throws {
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3600)], ofItemAtPath: path.path)
    }

    @Test func namesAreParsed() {
        #expect(StaleStaging.parse(".out.temper-partial-123-456", name: "out")! == (.partialFolder, 123))
        #expect(StaleStaging.parse(".out.temper-old-77", name: "out")! == (.oldFolder, 77))
        #expect(StaleStaging.parse(".m.sig.temper-9-10.tmp", name: "m.sig")! == (.partialFile, 9))
        for other in [".out.temper-partial-x-1", ".outx.temper-old-7", ".out.temper-old-0", "out", ".out.temper-5.tmp", ".other.temper-old-3"] {
            #expect(StaleStaging.parse(other, name: "out") == nil)
        }
    }

    /// Errors inside staging name the output the user asked for.
    @Test func stagingComponentsMapToTheirFinalNames() {
        #expect(StaleStaging.finalPath("/d/.out.temper-partial-12-34/model.safetensors") == "/d/out/model.safetensors")
        #expect(StaleStaging.finalPath("/d/..ft.temper-partial-1-2.temper-partial-3-4/w") == "/d/ft/w")
        #expect(StaleStaging.finalPath("/d/.m.sig.temper-9-10.tmp") == "/d/m.sig")
        for kept in ["/d/.out.temper-old-7/x", "/d/.hidden/x", "/d/.out.temper-partial-x-1/y", "relative/out"] {
            #expect(StaleStaging.finalPath(kept) == kept)
        }
    }

    @Test func leftoversOfKilledWritesAreCleanedAndAnOnlyCopyIsRestored() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stale-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let dead = try Self.deadPID()
        let partial = dir.appendingPathComponent(".out.temper-partial-\(dead)-42")
        let old = dir.appendingPathComponent(".out.temper-old-\(dead)")
        let tmp = dir.appendingPathComponent(".out.temper-\(dead)-7.tmp")
        let live = dir.appendingPathComponent(".out.temper-partial-\(getpid())-43")  // a write still running
        let fresh = dir.appendingPathComponent(".out.temper-partial-\(dead)-44")  // written after this process began
        for folder in [partial, old, live] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        try Data("kept".utf8).write(to: old.appendingPathComponent("weights"))
        try Data().write(to: tmp)
        for p in [partial, old, tmp, live] { try Self.age(p) }
        _ = StaleStaging.processStart
        try FileManager.default.createDirectory(at: fresh, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 60)], ofItemAtPath: fresh.path)

        // OUT is missing: the killed replacement had moved the old folder aside; it comes back.
        let out = dir.appendingPathComponent("out")
        #expect(throws: FormatError.self) { _ = try AtomicFolder(url: out) }  // restored, so OUT exists now
        #expect(try String(contentsOf: out.appendingPathComponent("weights"), encoding: .utf8) == "kept")
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: dir.path))
        #expect(left == ["out", live.lastPathComponent, fresh.lastPathComponent])
    }

    @Test func anOldFolderBesideACompleteOutputIsRemoved() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stale-\(UUID().uuidString)")
        let out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let old = dir.appendingPathComponent(".out.temper-old-\(try Self.deadPID())")
        try FileManager.default.createDirectory(at: old, withIntermediateDirectories: true)
        try Self.age(old)
        _ = StaleStaging.processStart
        try AtomicFolder.write(to: out) { try Data("new".utf8).write(to: $0.appendingPathComponent("w")) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out"])
    }
}
