import Foundation
import Testing
@testable import TemperFormats

@Suite struct AtomicFolderTests {
    @Test func createsReplacesAndLeavesNothingBehind() throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-folder-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let target = tmp.appendingPathComponent("nested/out")
        try AtomicFolder.write(to: target) { try Data("1".utf8).write(to: $0.appendingPathComponent("a")) }
        #expect(try String(contentsOf: target.appendingPathComponent("a"), encoding: .utf8) == "1")
        try AtomicFolder.write(to: target) { try Data("2".utf8).write(to: $0.appendingPathComponent("b")) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: target.path) == ["b"])
        struct Boom: Error {}
        #expect(throws: Boom.self) { try AtomicFolder.write(to: target) { _ in throw Boom() } }
        #expect(try FileManager.default.contentsOfDirectory(atPath: target.path) == ["b"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.appendingPathComponent("nested").path) == ["out"])
        let file = tmp.appendingPathComponent("file")
        try Data().write(to: file)
        #expect(throws: FormatError.self) { try AtomicFolder.write(to: file) { _ in } }
    }
}
