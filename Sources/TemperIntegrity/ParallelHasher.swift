import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One unit of hashing work: read `span` of the file at `path` once, in chunks, and
/// produce one SHA-256 per target range. Targets lie inside `span`, sorted by start and
/// not overlapping (a whole-file job has the single target `span`).
public struct HashJob: Sendable, Equatable {
    public var path: String
    public var span: Range<UInt64>
    public var targets: [Range<UInt64>]
    /// The size the file had when the folder was listed; a different size now is an error.
    public var expectedFileSize: UInt64?

    public init(path: String, span: Range<UInt64>, targets: [Range<UInt64>], expectedFileSize: UInt64? = nil) {
        self.path = path; self.span = span; self.targets = targets; self.expectedFileSize = expectedFileSize
    }

    /// The plain SHA-256 of a whole file of `size` bytes.
    public static func wholeFile(path: String, size: UInt64) -> HashJob {
        HashJob(path: path, span: 0..<size, targets: [0..<size], expectedFileSize: size)
    }
}

/// Hashes many jobs over all cores with bounded memory: each worker owns one read buffer
/// (`chunkSize` bytes) and takes the longest remaining job first, so a big file starts
/// early and small ones fill the gaps. A single range is hashed sequentially (SHA-256
/// cannot be split); parallelism comes from files and tensors.
public struct ParallelHasher: Sendable {
    public var chunkSize: Int
    public var workers: Int

    public init(chunkSize: Int = 8 << 20, workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.chunkSize = max(4096, chunkSize)
        self.workers = max(1, workers)
    }

    /// Digests per job, in job order, one per target. Throws the first failing job's error.
    public func run(_ jobs: [HashJob]) throws -> [[SHA256Digest]] {
        if jobs.isEmpty { return [] }
        let order = jobs.indices.sorted { jobs[$0].span.count > jobs[$1].span.count }
        let results = JobResults<[SHA256Digest]>(count: jobs.count)
        let chunk = chunkSize
        let workerCount = min(workers, jobs.count)
        DispatchQueue.concurrentPerform(iterations: workerCount) { _ in
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 4096)
            defer { buffer.deallocate() }
            while let slot = results.claim() {
                let index = order[slot]
                results.store(index, Result { try Self.hash(jobs[index], buffer: buffer) })
            }
        }
        return try results.values()
    }

    /// Plain SHA-256 of each file (whole contents), in the order given.
    public func hashFiles(_ files: [(path: String, size: UInt64)]) throws -> [SHA256Digest] {
        try run(files.map { HashJob.wholeFile(path: $0.path, size: $0.size) }).map { $0[0] }
    }

    /// Reads the job's span with `pread` and feeds each chunk to the targets it overlaps.
    static func hash(_ job: HashJob, buffer: UnsafeMutableRawBufferPointer) throws -> [SHA256Digest] {
        let fd = open(job.path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw IntegrityError.io(path: job.path, reason: "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) != 0 { throw IntegrityError.io(path: job.path, reason: "cannot stat: \(String(cString: strerror(errno)))") }
        let size = UInt64(max(0, info.st_size))
        if let expected = job.expectedFileSize, expected != size {
            throw IntegrityError.fileChangedWhileReading(path: job.path, expectedSize: expected, actualSize: size)
        }
        if job.span.upperBound > size {
            throw IntegrityError.fileChangedWhileReading(path: job.path, expectedSize: job.span.upperBound, actualSize: size)
        }
        #if canImport(Glibc)
        _ = posix_fadvise(fd, off_t(job.span.lowerBound), off_t(job.span.count), POSIX_FADV_SEQUENTIAL)
        #endif
        let streams = job.targets.map { _ in SHA256Stream() }
        var first = 0
        var position = job.span.lowerBound
        while position < job.span.upperBound {
            let want = Int(min(UInt64(buffer.count), job.span.upperBound - position))
            let got = pread(fd, buffer.baseAddress, want, off_t(position))
            if got < 0 {
                if errno == EINTR { continue }
                throw IntegrityError.io(path: job.path, reason: "read failed at byte \(position): \(String(cString: strerror(errno)))")
            }
            if got == 0 {
                throw IntegrityError.fileChangedWhileReading(path: job.path, expectedSize: job.span.upperBound, actualSize: position)
            }
            let chunkEnd = position + UInt64(got)
            while first < job.targets.count && job.targets[first].upperBound <= position { first += 1 }
            var t = first
            while t < job.targets.count && job.targets[t].lowerBound < chunkEnd {
                let target = job.targets[t]
                let lo = max(target.lowerBound, position), hi = min(target.upperBound, chunkEnd)
                if lo < hi {
                    streams[t].update(UnsafeRawBufferPointer(rebasing: buffer[Int(lo - position)..<Int(hi - position)]))
                }
                t += 1
            }
            position = chunkEnd
        }
        return streams.map { $0.finalize() }
    }
}

/// Slots for results written by worker threads; a lock guards the claim counter and slots.
final class JobResults<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var failed = false
    private var slots: [Result<Value, Error>?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    /// The next position in the work order, or nil when all are taken (or one failed).
    func claim() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard next < slots.count, !failed else { return nil }
        next += 1
        return next - 1
    }

    func store(_ index: Int, _ value: Result<Value, Error>) {
        lock.lock(); defer { lock.unlock() }
        slots[index] = value
        if case .failure = value { failed = true }
    }

    /// All values in index order, or the error of the first failed slot.
    func values() throws -> [Value] {
        lock.lock(); defer { lock.unlock() }
        var out: [Value] = []
        out.reserveCapacity(slots.count)
        for slot in slots {
            switch slot {
            case .success(let v)?: out.append(v)
            case .failure(let e)?: throw e
            case nil: continue  // only after a failure, which is thrown below
            }
        }
        return out
    }
}
