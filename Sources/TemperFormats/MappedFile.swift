import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only into memory. Mapping reads nothing: pages are faulted in
/// only when touched, so a 10 GB checkpoint can be inspected by reading its header alone.
/// Slices stay valid as long as this object is alive; the mapping is removed in `deinit`.
/// The descriptor stays open too, so bulk `read(into:)` copies come from the same file
/// (inode) that was mapped and validated, even if the path is replaced meanwhile.
public final class MappedFile: @unchecked Sendable {
    // @unchecked: the mapping is PROT_READ and nothing changes after init; pread is thread-safe.
    public let url: URL
    /// File size in bytes at the time of mapping.
    public let size: Int
    private let base: UnsafeRawPointer?
    private let fd: Int32

    public init(url: URL) throws {
        self.url = url
        let path = url.path
        // Refuses FIFOs, devices and sockets before anything could block on them.
        let (fd, length) = try RegularFile.open(path)
        if length == 0 {
            base = nil  // mmap rejects zero-length mappings; an empty file has no bytes to show.
        } else {
            let mapped = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0)
            if mapped == MAP_FAILED || mapped == nil {
                let reason = String(cString: strerror(errno))
                close(fd)
                throw FormatError.io(path: path, reason: "mmap failed: \(reason)")
            }
            base = UnsafeRawPointer(mapped)
        }
        size = length
        self.fd = fd
    }

    deinit {
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), size) }
        close(fd)
    }

    /// Copies `count` bytes at `offset` into `destination` with pread: the kernel copies from
    /// the page cache directly, which is faster than faulting the mapping in page by page.
    public func read(into destination: UnsafeMutableRawPointer, offset: UInt64, count: Int) throws {
        let (end, overflow) = offset.addingReportingOverflow(UInt64(count))
        guard !overflow, end <= UInt64(size) else {
            throw FormatError.truncated(path: url.path, offset: offset, needed: UInt64(count), available: offset < UInt64(size) ? UInt64(size) - offset : 0)
        }
        var done = 0
        while done < count {
            let n = pread(fd, destination + done, count - done, off_t(offset) + off_t(done))
            if n < 0, errno == EINTR { continue }
            if n < 0 { throw FormatError.io(path: url.path, reason: "read failed: \(String(cString: strerror(errno)))") }
            if n == 0 {  // the file shrank after it was opened
                throw FormatError.truncated(path: url.path, offset: offset + UInt64(done), needed: UInt64(count - done), available: 0)
            }
            done += n
        }
    }

    /// Drops this process's page-table entries for the pages under `range` (a slice of this
    /// mapping), so bytes already consumed stop counting in its resident memory; the pages
    /// stay in the page cache and a later access faults them in again. Ranges outside the
    /// mapping are ignored.
    public func releasePages(_ range: UnsafeRawBufferPointer) {
        guard let base, let start = range.baseAddress, range.count > 0 else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let lower = Int(bitPattern: start), upper = lower + range.count
        let mapLower = Int(bitPattern: base), mapUpper = mapLower + size
        guard page > 0, lower >= mapLower, upper <= mapUpper else { return }
        let first = lower / page * page, last = Swift.min((upper + page - 1) / page * page, (mapUpper + page - 1) / page * page)
        _ = madvise(UnsafeMutableRawPointer(bitPattern: first), last - first, MADV_DONTNEED)
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
}
