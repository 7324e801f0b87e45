import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only memory map of a whole file, unmapped when released. GGUF tensors are read
/// in place through it, so opening a multi-gigabyte file costs no copy.
final class GGUFMapping: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
    private let base: UnsafeMutableRawPointer?
    private let length: Int

    init(path: String) throws {
        let (fd, size) = try RegularFile.open(path)  // refuses FIFOs, devices, sockets
        defer { close(fd) }
        length = size
        if size == 0 {
            // mmap refuses empty ranges; an empty file is simply zero bytes.
            base = nil
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw FormatError.io(path: path, reason: "mmap failed: \(String(cString: strerror(errno)))")
        }
        base = mapped
        bytes = UnsafeRawBufferPointer(start: mapped, count: size)
    }

    deinit {
        if let base { munmap(base, length) }
    }
}

/// Reads little-endian values from a byte range, checking every read against the end so
/// that a short or lying file becomes a typed error, never an out-of-bounds read.
struct GGUFCursor {
    let bytes: UnsafeRawBufferPointer
    let path: String
    private(set) var offset: Int = 0

    init(bytes: UnsafeRawBufferPointer, path: String) {
        self.bytes = bytes; self.path = path
    }

    var remaining: Int { bytes.count - offset }

    mutating func require(_ n: Int) throws {
        if n < 0 || n > remaining {
            throw FormatError.truncated(path: path, offset: UInt64(offset), needed: UInt64(max(n, 0)), available: UInt64(remaining))
        }
    }

    mutating func read<T: FixedWidthInteger>(_: T.Type) throws -> T {
        let size = MemoryLayout<T>.size
        try require(size)
        let v = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += size
        return T(littleEndian: v)
    }

    mutating func readBytes(_ n: Int) throws -> UnsafeRawBufferPointer {
        try require(n)
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)])
        offset += n
        return slice
    }

    /// A u64-length-prefixed UTF-8 string; `what` names the string in errors.
    mutating func readString(_ what: @autoclosure () -> String) throws -> String {
        let start = offset
        let length = try read(UInt64.self)
        guard length <= UInt64(remaining) else {
            throw FormatError.stringTooLong(path: path, offset: UInt64(start), length: length)
        }
        let raw = try readBytes(Int(length))
        guard let s = String(validating: raw, as: UTF8.self) else {
            throw FormatError.invalidMetadata(path: path, reason: "\(what()) at byte \(start) is not valid UTF-8")
        }
        return s
    }

    /// Checks that `count` items of at least `minimumSize` bytes each can still fit.
    func checkCount(_ count: UInt64, minimumSize: Int, what: String, at start: Int) throws {
        let (needed, overflow) = count.multipliedReportingOverflow(by: UInt64(minimumSize))
        if overflow || needed > UInt64(remaining) {
            throw FormatError.countTooLarge(path: path, what: what, count: count, offset: UInt64(start))
        }
    }
}
