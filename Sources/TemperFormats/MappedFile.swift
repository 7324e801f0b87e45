import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only into memory. Mapping reads nothing: pages are faulted in
/// only when touched, so a 10 GB checkpoint can be inspected by reading its header alone.
/// Slices stay valid as long as this object is alive; the mapping is removed in `deinit`.
public final class MappedFile: @unchecked Sendable {
    // @unchecked: the mapping is PROT_READ and never changes after init, so sharing is safe.
    public let url: URL
    /// File size in bytes at the time of mapping.
    public let size: Int
    private let base: UnsafeRawPointer?

    public init(url: URL) throws {
        self.url = url
        let path = url.path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { throw FormatError.notFound(path: path) }
            throw FormatError.io(path: path, reason: "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) != 0 {
            throw FormatError.io(path: path, reason: "cannot stat: \(String(cString: strerror(errno)))")
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw FormatError.unsupportedInput(path: path, reason: "is a folder, not a file")
        }
        let length = Int(info.st_size)
        size = length
        if length == 0 {
            base = nil  // mmap rejects zero-length mappings; an empty file has no bytes to show.
            return
        }
        let mapped = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0)
        if mapped == MAP_FAILED || mapped == nil {
            throw FormatError.io(path: path, reason: "mmap failed: \(String(cString: strerror(errno)))")
        }
        base = UnsafeRawPointer(mapped)
    }

    deinit {
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), size) }
    }

    /// The whole file.
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: base == nil ? 0 : size) }

    /// Bytes `offset ..< offset + count`; throws `.truncated` when the range leaves the file.
    public func slice(offset: UInt64, count: UInt64) throws -> UnsafeRawBufferPointer {
        let (end, overflow) = offset.addingReportingOverflow(count)
        guard !overflow, end <= UInt64(size) else {
            let available = offset < UInt64(size) ? UInt64(size) - offset : 0
            throw FormatError.truncated(path: url.path, offset: offset, needed: count, available: available)
        }
        if count == 0 { return UnsafeRawBufferPointer(start: nil, count: 0) }
        guard let base else {  // unreachable: count > 0 and end <= size implies size > 0
            throw FormatError.truncated(path: url.path, offset: offset, needed: count, available: 0)
        }
        return UnsafeRawBufferPointer(start: base + Int(offset), count: Int(count))
    }

    /// Bytes in `range` (absolute offsets).
    public func slice(_ range: Range<UInt64>) throws -> UnsafeRawBufferPointer {
        try slice(offset: range.lowerBound, count: range.upperBound - range.lowerBound)
    }

    /// Reads a little-endian UInt64 at `offset`.
    public func readUInt64LE(at offset: UInt64) throws -> UInt64 {
        let raw = try slice(offset: offset, count: 8)
        var value: UInt64 = 0
        for i in (0..<8).reversed() { value = value << 8 | UInt64(raw[i]) }
        return value
    }

    /// Hints the kernel that `range` will be read soon, in order (used before bulk copies).
    public func adviseSequential(_ range: Range<UInt64>) {
        guard let base, range.upperBound <= UInt64(size), !range.isEmpty else { return }
        let page = UInt64(sysconf(Int32(_SC_PAGESIZE)))
        let start = range.lowerBound / page * page
        let pointer = UnsafeMutableRawPointer(mutating: base + Int(start))
        let length = Int(range.upperBound - start)
        _ = madvise(pointer, length, MADV_SEQUENTIAL)
        _ = madvise(pointer, length, MADV_WILLNEED)
    }
}
