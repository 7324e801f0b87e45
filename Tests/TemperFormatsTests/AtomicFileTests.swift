import Foundation
import Testing
@testable import TemperFormats

@Suite struct AtomicFileTests {
    @Test func commitReplacesAndAbandonKeepsOld() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("f.bin")
        try AtomicFile.write(Data([1, 2, 3]), to: url)
        #expect(try Data(contentsOf: url) == Data([1, 2, 3]))
        let pending = try AtomicFile(url: url)
        try pending.write([9, 9])
        pending.abandon()
        #expect(try Data(contentsOf: url) == Data([1, 2, 3]))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["f.bin"])
    }
}
