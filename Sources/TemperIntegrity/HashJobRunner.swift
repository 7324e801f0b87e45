import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the jobs of one work unit (one job, or two side by side) with `pread` in chunks and
/// hashes them. With SHA-NI every byte is read once and all the streams it feeds — a weight
/// file's digest, the digest of the tensor it lies in, and the same for the unit's second
/// file — are compressed together (`SHA256NI.update(_:_:fourWay:)`, up to four streams per
/// core). Without SHA-NI each job goes through libcrypto streams, still one read per byte.
struct HashJobRunner: Sendable {
    let chunkSize: Int
    /// 1: libcrypto, one job at a time; 2: SHA-NI streams in pairs; 4: four at once.
    let streamsPerCore: Int

    /// One worker's read buffers, one per job of a unit.
    struct Buffers {
        let main: UnsafeMutableRawBufferPointer
        let partner: UnsafeMutableRawBufferPointer
        func deallocate() { main.deallocate(); partner.deallocate() }
    }

    func makeBuffers() -> Buffers {
        Buffers(main: .allocate(byteCount: chunkSize, alignment: 4096), partner: .allocate(byteCount: chunkSize, alignment: 4096))
    }

    /// The digests of each job of `unit` (at most two jobs), in unit order (see `HashJob`).
    func hash(_ unit: [HashJob], buffers: Buffers) throws -> [[SHA256Digest]] {
        var files: [OpenFile] = []
        defer { for file in files { file.closeFile() } }
        for job in unit { files.append(try OpenFile(job.path, expectedSize: job.expectedFileSize, needed: job.span.upperBound)) }
        if streamsPerCore < 2 { return try zip(unit, files).map { try hashPlain($0, $1, buffers.main) } }
        let lanes = zip(unit, files).enumerated().map { k, pair in
            Lane(job: pair.0, file: pair.1, buffer: k == 0 ? buffers.main : buffers.partner)
        }
        try lockstep(lanes)
        return lanes.map(\.digests)
    }

    /// Advances every lane by the same number of bytes per round: the shortest run (bytes
    /// until some lane's chunk ends or its set of streams changes), so all the streams of
    /// all lanes stay in step and go through the interleaved kernels together.
    private func lockstep(_ lanes: [Lane]) throws {
        while true {
            let active = lanes.filter { !$0.finished }
            if active.isEmpty { return }
            let runs = try active.map { try $0.nextRun() }
            let count = runs.map(\.count).min() ?? 0
            var streams: [SHA256NI] = [], inputs: [UnsafeRawBufferPointer] = []
            for (lane, run) in zip(active, runs) {
                let piece = lane.take(count)
                for stream in run.streams { streams.append(stream); inputs.append(piece) }
            }
            SHA256NI.update(streams, inputs, fourWay: streamsPerCore >= 4)
        }
    }

    /// One job through libcrypto: the span stream (when asked) and each target's stream.
    private func hashPlain(_ job: HashJob, _ file: OpenFile, _ buffer: UnsafeMutableRawBufferPointer) throws -> [SHA256Digest] {
        let streams = job.targets.map { _ in SHA256Stream() }
        let spanStream = job.alsoHashSpan ? SHA256Stream() : nil
        var first = 0
        try file.read(job.span, into: buffer) { chunk, position in
            spanStream?.update(chunk)
            let chunkEnd = position + UInt64(chunk.count)
            while first < job.targets.count && job.targets[first].upperBound <= position { first += 1 }
            var t = first
            while t < job.targets.count && job.targets[t].lowerBound < chunkEnd {
                let lo = max(job.targets[t].lowerBound, position), hi = min(job.targets[t].upperBound, chunkEnd)
                if lo < hi { streams[t].update(UnsafeRawBufferPointer(rebasing: chunk[Int(lo - position)..<Int(hi - position)])) }
                t += 1
            }
        }
        return (spanStream.map { [$0.finalize()] } ?? []) + streams.map { $0.finalize() }
    }
}

/// One job's way through its span in the lockstep loop: the chunk in its buffer, the offset
/// reached, and the first target that has not ended yet (targets are sorted, disjoint).
private final class Lane {
    let job: HashJob
    let file: OpenFile
    let buffer: UnsafeMutableRawBufferPointer
    let spanStream: SHA256NI?
    let targetStreams: [SHA256NI]
    private var chunk = UnsafeRawBufferPointer(start: nil, count: 0)
    private var chunkStart: UInt64
    private var offset = 0
    private var target = 0

    init(job: HashJob, file: OpenFile, buffer: UnsafeMutableRawBufferPointer) {
        self.job = job; self.file = file; self.buffer = buffer
        spanStream = job.alsoHashSpan ? SHA256NI() : nil
        targetStreams = job.targets.map { _ in SHA256NI() }
        chunkStart = job.span.lowerBound
    }

    var finished: Bool { chunkStart + UInt64(offset) >= job.span.upperBound }

    /// The streams the next bytes feed and how many bytes until that changes (a target
    /// starts or ends, or the chunk ends); reads the next chunk when this one is used up.
    /// Never zero while the lane is not finished. Zero-length targets get no bytes.
    func nextRun() throws -> (streams: [SHA256NI], count: Int) {
        if offset == chunk.count {
            chunkStart += UInt64(chunk.count)
            offset = 0
            chunk = try file.readChunk(at: chunkStart, end: job.span.upperBound, into: buffer)
        }
        let position = chunkStart + UInt64(offset)
        let targets = job.targets
        while target < targets.count && targets[target].upperBound <= position { target += 1 }
        var streams = spanStream.map { [$0] } ?? []
        var end = chunkStart + UInt64(chunk.count)
        if target < targets.count {
            let range = targets[target]
            if range.lowerBound <= position {
                streams.append(targetStreams[target])
                end = min(end, range.upperBound)
            } else {
                end = min(end, range.lowerBound)
            }
        }
        return (streams, Int(end - position))
    }

    /// The next `count` bytes of the chunk (at most the current run), consumed.
    func take(_ count: Int) -> UnsafeRawBufferPointer {
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: chunk[offset..<offset + count])
    }

    var digests: [SHA256Digest] { (spanStream.map { [$0.finalize()] } ?? []) + targetStreams.map { $0.finalize() } }
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
