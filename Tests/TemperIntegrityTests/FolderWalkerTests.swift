import Foundation
import Testing
@testable import TemperIntegrity

@Suite struct FolderWalkerTests {
    @Test func listsEverythingSortedByComponentsAndIgnoresGitPaths() throws {
        let dir = try Fx.scratch("walk")
        defer { Fx.remove(dir) }
        for p in ["a-c", "a/b", "a/.hidden", "z", ".git/HEAD", ".github/workflows/x.yml", ".gitignore", ".gitattributes",
                  "sub/.gitignore", "model.sig", "deep/er/file"] {
            try Fx.write(p, to: dir.appendingPathComponent(p))
        }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("emptydir"), withIntermediateDirectories: true)
        var rules = IgnoreRules(IgnoreRules.gitPaths)
        rules.add("./model.sig")
        let entries = try FolderWalker(ignore: rules).list(dir.path)
        // Python orders PurePosixPath by components: "a/..." before "a-c" although "-" < "/".
        #expect(entries.map(\.relativePath) == ["a/.hidden", "a/b", "a-c", "deep/er/file", "sub/.gitignore", "z"])
        #expect(entries.first?.size == UInt64("a/.hidden".utf8.count))
        // Without rules everything is listed.
        #expect(try FolderWalker(ignore: IgnoreRules()).list(dir.path).count == 11)
    }

    @Test func symlinksAreRefusedUnlessInsideAndAllowed() throws {
        let dir = try Fx.scratch("walk")
        let outside = try Fx.scratch("outside")
        defer { Fx.remove(dir); Fx.remove(outside) }
        try Fx.write("x", to: dir.appendingPathComponent("real"))
        try Fx.write("secret", to: outside.appendingPathComponent("secret"))
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("inside").path, withDestinationPath: "real")
        #expect(throws: IntegrityError.symlinkNotAllowed(path: dir.path + "/inside")) { try FolderWalker().list(dir.path) }
        let allowed = try FolderWalker(allowSymlinks: true).list(dir.path)
        #expect(allowed.map(\.relativePath) == ["inside", "real"])

        Fx.remove(dir.appendingPathComponent("inside"))
        let link = dir.appendingPathComponent("escape").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: outside.appendingPathComponent("secret").path)
        let target = try FolderWalker.realPath(outside.appendingPathComponent("secret").path)
        for allow in [false, true] {
            #expect(throws: IntegrityError.symlinkOutsideFolder(path: link, target: target)) {
                try FolderWalker(allowSymlinks: allow).list(dir.path)
            }
        }
    }

    @Test func brokenLinksAndSpecialFilesAreErrors() throws {
        let dir = try Fx.scratch("walk")
        defer { Fx.remove(dir) }
        let fifo = dir.appendingPathComponent("pipe").path
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(throws: IntegrityError.specialFile(path: fifo)) { try FolderWalker().list(dir.path) }
        unlink(fifo)
        let broken = dir.appendingPathComponent("broken").path
        try FileManager.default.createSymbolicLink(atPath: broken, withDestinationPath: "nowhere")
        #expect(throws: IntegrityError.danglingSymlink(path: broken, target: "nowhere")) { try FolderWalker(allowSymlinks: true).list(dir.path) }
        unlink(broken)
        let loop = dir.appendingPathComponent("loop").path
        try FileManager.default.createSymbolicLink(atPath: loop, withDestinationPath: "loop")
        #expect(throws: IntegrityError.symlinkCycle(path: loop)) { try FolderWalker(allowSymlinks: true).list(dir.path) }
    }

    @Test func missingFolderAndFileAreTypedErrors() throws {
        let dir = try Fx.scratch("walk")
        defer { Fx.remove(dir) }
        try Fx.write("x", to: dir.appendingPathComponent("f"))
        #expect(throws: IntegrityError.notFound(path: dir.path + "/nope")) { try FolderWalker().list(dir.path + "/nope") }
        #expect(throws: IntegrityError.notADirectory(path: dir.path + "/f")) { try FolderWalker().list(dir.path + "/f") }
    }
}
