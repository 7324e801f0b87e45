import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads one `HashJob` with `pread` in chunks and hashes it: libcrypto streams for plain
/// jobs, SHA-NI streams advanced in pairs (`SHA256NI.update2`) when the job hashes the same
/// bytes twice (file + tensors) or carries a partner file.
struct HashJobRunner: Sendable {
    let chunkSize: Int
    let interleave: Bool

    /// One worker's read buffers (a second one for partner files).
    struct Buffers {
        let main: UnsafeMutableRawBufferPointer
        let partner: UnsafeMutableRawBufferPointer
        func deallocate() { main.deallocate(); partner.deallocate() }
    }

    func makeBuffers() -> Buffers {
        Buffers(main: .allocate(byteCount: chunkSize, alignment: 4096), partner: .allocate(byteCount: chunkSize, alignment: 4096))
    }

    func hash(_ job: HashJob, buffers: Buffers) throws -> [SHA256Digest] {
        let file = try OpenFile(job.path, expectedSize: job.expectedFileSize, needed: job.span.upperBound)
        defer { file.closeFile() }
        if let partner = job.partner { return try hashPair(job, file, partner, buffers) }
        if job.alsoHashSpan && interleave { return try hashInterleaved(job, file, buffers.main) }
        let streams = job.targets.map { _ in SHA256Stream() }
        let spanStream = job.alsoHashSpan ? SHA256Stream() : nil
        var first = 0
        try file.read(job.span, into: buffers.main) { chunk, position in
            spanStream?.update(chunk)
            forEachPiece(job.targets, from: &first, chunkAt: position, count: chunk.count) { t, lo, hi in
                streams[t].update(UnsafeRawBufferPointer(rebasing: chunk[lo..<hi]))
            }
        }
        return (spanStream.map { [$0.finalize()] } ?? []) + streams.map { $0.finalize() }
    }

    /// File digest and tensor digests in one pass, each tensor piece paired with the same
    /// bytes of the file stream.
    private func hashInterleaved(_ job: HashJob, _ file: OpenFile, _ buffer: UnsafeMutableRawBufferPointer) throws -> [SHA256Digest] {
        let span = SHA256NI()
        let streams = job.targets.map { _ in SHA256NI() }
        var first = 0
        try file.read(job.span, into: buffer) { chunk, position in
            var cursor = 0
            forEachPiece(job.targets, from: &first, chunkAt: position, count: chunk.count) { t, lo, hi in
                if lo > cursor { span.update(UnsafeRawBufferPointer(rebasing: chunk[cursor..<lo])) }
                let piece = UnsafeRawBufferPointer(rebasing: chunk[lo..<hi])
                SHA256NI.update2(span, piece, streams[t], piece)
                cursor = hi
            }
            if cursor < chunk.count { span.update(UnsafeRawBufferPointer(rebasing: chunk[cursor...])) }
        }
        return [span.finalize()] + streams.map { $0.finalize() }
    }

    /// Two whole files side by side, interleaved while both have bytes left.
    private func hashPair(_ job: HashJob, _ file: OpenFile, _ partner: HashJob.File, _ buffers: Buffers) throws -> [SHA256Digest] {
        let other = try OpenFile(partner.path, expectedSize: partner.size, needed: partner.size)
        defer { other.closeFile() }
        let a = SHA256NI(), b = SHA256NI()
        var pa: UInt64 = 0, pb: UInt64 = 0
        let endA = job.span.upperBound, endB = partner.size
        while pa < endA || pb < endB {
            let ca = try file.readChunk(at: pa, end: endA, into: buffers.main)
            let cb = try other.readChunk(at: pb, end: endB, into: buffers.partner)
            SHA256NI.update2(a, ca, b, cb)
            pa += UInt64(ca.count); pb += UInt64(cb.count)
        }
        return [a.finalize(), b.finalize()]
    }

    /// Calls `body(target, lo, hi)` for each target's overlap `[lo, hi)` with the chunk
    /// (offsets within the chunk), skipping targets that ended before it.
    private func forEachPiece(_ targets: [Range<UInt64>], from first: inout Int, chunkAt position: UInt64, count: Int,
                              _ body: (Int, Int, Int) -> Void) {
        let chunkEnd = position + UInt64(count)
        while first < targets.count && targets[first].upperBound <= position { first += 1 }
        var t = first
        while t < targets.count && targets[t].lowerBound < chunkEnd {
            let lo = max(targets[t].lowerBound, position), hi = min(targets[t].upperBound, chunkEnd)
            if lo < hi { body(t, Int(lo - position), Int(hi - position)) }
            t += 1
        }
    }
}

/// An open file descriptor with checked chunked reads.
struct OpenFile {
    let path: String
    let fd: Int32

    /// Opens `path`; the file must still have `expectedSize` bytes (when given) and at least `needed`.
    init(_ path: String, expectedSize: UInt64?, needed: UInt64) throws {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw IntegrityError.io(path: path, reason: "cannot open: \(String(cString: strerror(errno)))") }
        var info = stat()
        if fstat(fd, &info) != 0 {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw IntegrityError.io(path: path, reason: "cannot stat: \(reason)")
        }
        let size = UInt64(max(0, info.st_size))
        if let expectedSize, expectedSize != size {
            close(fd)
            throw IntegrityError.fileChangedWhileReading(path: path, expectedSize: expectedSize, actualSize: size)
        }
        if needed > size {
            close(fd)
            throw IntegrityError.fileChangedWhileReading(path: path, expectedSize: needed, actualSize: size)
        }
        #if canImport(Glibc)
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
        #endif
    }

    func closeFile() { close(fd) }

    /// Reads `range` chunk by chunk, passing each chunk and its file offset to `body`.
    func read(_ range: Range<UInt64>, into buffer: UnsafeMutableRawBufferPointer,
              _ body: (UnsafeRawBufferPointer, UInt64) throws -> Void) throws {
        var position = range.lowerBound
        while position < range.upperBound {
            let chunk = try readChunk(at: position, end: range.upperBound, into: buffer)
            try body(chunk, position)
            position += UInt64(chunk.count)
        }
    }

    /// Up to one buffer of bytes from `position` (never past `end`); empty at `end`.
    func readChunk(at position: UInt64, end: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws -> UnsafeRawBufferPointer {
        guard position < end, let base = buffer.baseAddress else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        let want = Int(min(UInt64(buffer.count), end - position))
        while true {
            let got = pread(fd, base, want, off_t(position))
            if got < 0 {
                if errno == EINTR { continue }
                throw IntegrityError.io(path: path, reason: "read failed at byte \(position): \(String(cString: strerror(errno)))")
            }
            if got == 0 { throw IntegrityError.fileChangedWhileReading(path: path, expectedSize: end, actualSize: position) }
            return UnsafeRawBufferPointer(start: base, count: got)
        }
    }
}
