import Foundation
import Testing
@testable import TemperFormats

@Suite struct MappedFileTests {
    @Test func sha256HelperMatchesKnownVectors() {
        #expect(sha256Hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(sha256Hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let long = [UInt8](repeating: 0x61, count: 1000)
        #expect(sha256Hex(long) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    @Test func mapsSlicesAndChecksBounds() throws {
        let dir = try makeTemporaryFolder("mapped")
        defer { removeFolder(dir) }
        let url = dir.appendingPathComponent("f.bin")
        try Data((0..<100).map { UInt8($0) }).write(to: url)
        let file = try MappedFile(url: url)
        #expect(file.size == 100)
        #expect(Array(try file.slice(offset: 10, count: 3)) == [10, 11, 12])
        #expect(Array(try file.slice(98..<100)) == [98, 99])
        #expect(try file.slice(offset: 100, count: 0).count == 0)
        #expect(try file.readUInt64LE(at: 0) == 0x0706050403020100)
        #expect(throws: FormatError.truncated(path: url.path, offset: 95, needed: 10, available: 5)) {
            try file.slice(offset: 95, count: 10)
        }
        #expect(throws: FormatError.self) { try file.slice(offset: UInt64.max, count: 2) }
        #expect(throws: FormatError.self) { try file.readUInt64LE(at: 93) }
    }

    @Test func emptyFileHasNoBytes() throws {
        let dir = try makeTemporaryFolder("mapped")
        defer { removeFolder(dir) }
        let url = dir.appendingPathComponent("empty.bin")
        try Data().write(to: url)
        let file = try MappedFile(url: url)
        #expect(file.size == 0)
        #expect(file.bytes.count == 0)
        #expect(try file.slice(offset: 0, count: 0).count == 0)
        #expect(throws: FormatError.truncated(path: url.path, offset: 0, needed: 1, available: 0)) { try file.slice(offset: 0, count: 1) }
    }

    @Test func missingFileAndFolderAreTypedErrors() throws {
        let dir = try makeTemporaryFolder("mapped")
        defer { removeFolder(dir) }
        let missing = dir.appendingPathComponent("nope.bin")
        #expect(throws: FormatError.notFound(path: missing.path)) { try MappedFile(url: missing) }
        #expect(throws: FormatError.self) { try MappedFile(url: dir) }
    }

    /// A 10 GB sparse file maps instantly: nothing is read until touched.
    @Test func hugeSparseFileMapsWithoutReading() throws {
        let dir = try makeTemporaryFolder("mapped")
        defer { removeFolder(dir) }
        let url = dir.appendingPathComponent("huge.bin")
        #expect(FileManager.default.createFile(atPath: url.path, contents: Data([1, 2, 3])))
        let handle = try FileHandle(forWritingTo: url)
        try handle.truncate(atOffset: 10_000_000_000)
        try handle.close()
        let started = Date()
        let file = try MappedFile(url: url)
        #expect(file.size == 10_000_000_000)
        #expect(Array(try file.slice(offset: 0, count: 3)) == [1, 2, 3])
        #expect(Array(try file.slice(offset: 9_999_999_999, count: 1)) == [0])
        #expect(Date().timeIntervalSince(started) < 2)
    }
}
