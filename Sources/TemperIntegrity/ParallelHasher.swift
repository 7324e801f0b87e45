import Foundation

/// One unit of hashing work: read `span` of the file at `path` once, in chunks, and
/// produce one SHA-256 per target range. Targets lie inside `span`, sorted by start and
/// not overlapping (a whole-file job has the single target `span`). With `alsoHashSpan`
/// the digest of the whole span comes first, computed in the same pass (a weight file's
/// digest and its tensors' digests from one read).
public struct HashJob: Sendable, Equatable {
    public var path: String
    public var span: Range<UInt64>
    public var targets: [Range<UInt64>]
    public var alsoHashSpan: Bool
    /// The size the file had when the folder was listed; a different size now is an error.
    public var expectedFileSize: UInt64?

    public init(path: String, span: Range<UInt64>, targets: [Range<UInt64>], alsoHashSpan: Bool = false,
                expectedFileSize: UInt64? = nil) {
        self.path = path; self.span = span; self.targets = targets; self.alsoHashSpan = alsoHashSpan
        self.expectedFileSize = expectedFileSize
    }

    /// The plain SHA-256 of a whole file of `size` bytes.
    public static func wholeFile(path: String, size: UInt64) -> HashJob {
        HashJob(path: path, span: 0..<size, targets: [0..<size], expectedFileSize: size)
    }

    /// Bytes hashed, summed over the job's streams (a combined job hashes its span twice).
    var streamBytes: UInt64 { targets.reduce(alsoHashSpan ? UInt64(span.count) : 0) { $0 + UInt64($1.count) } }
    /// Streams the job feeds at once (the span's and a target's, or a target's).
    var streams: Int { alsoHashSpan ? 2 : 1 }
}

/// Hashes many jobs over all cores with bounded memory: each worker owns its read buffers
/// (`chunkSize` bytes each) and takes the costliest remaining unit first, so a big file
/// starts early and small ones fill the gaps. A single range is hashed sequentially (SHA-256
/// cannot be split); parallelism comes from files and tensors, and on CPUs with SHA-NI from
/// up to four streams interleaved on each core: a unit there is one job or two jobs of
/// similar cost read side by side (two weight files and their tensors: four streams).
public struct ParallelHasher: Sendable {
    public var chunkSize: Int
    public var workers: Int
    /// Streams compressed together per core: 1 (libcrypto, one job at a time), 2 (SHA-NI in
    /// pairs) or 4 (SHA-NI four at once, needs AVX). Tests set it to cover every path.
    var streamsPerCore: Int
    /// Whether SHA-NI streams are interleaved (false: libcrypto).
    public var interleave: Bool { streamsPerCore > 1 }

    /// 256 KiB chunks: the two buffers of a unit stay in the core's L2 cache (1 MiB on the
    /// bench machine) from `pread` to the hash rounds. `interleave: false` (tests) hashes
    /// with libcrypto even where the CPU has SHA-NI.
    public init(chunkSize: Int = 256 << 10, workers: Int = ProcessInfo.processInfo.activeProcessorCount, interleave: Bool = true) {
        self.chunkSize = max(4096, chunkSize)
        self.workers = max(1, workers)
        streamsPerCore = !(interleave && SHA256NI.available) ? 1 : SHA256NI.fourWayAvailable ? 4 : 2
    }

    /// Digests per job, in job order, one per target (see `HashJob`). Throws the first failing job's error.
    public func run(_ jobs: [HashJob]) throws -> [[SHA256Digest]] {
        if jobs.isEmpty { return [] }
        let units = self.units(jobs)
        let results = JobResults<[[SHA256Digest]]>(count: units.count)
        let runner = HashJobRunner(chunkSize: chunkSize, streamsPerCore: streamsPerCore)
        DispatchQueue.concurrentPerform(iterations: min(workers, units.count)) { _ in
            let buffers = runner.makeBuffers()
            defer { buffers.deallocate() }
            while let slot = results.claim() {
                results.store(slot, Result { try runner.hash(units[slot].map { jobs[$0] }, buffers: buffers) })
            }
        }
        var out = [[SHA256Digest]](repeating: [], count: jobs.count)
        for (unit, digests) in zip(units, try results.values()) {
            for (job, d) in zip(unit, digests) { out[job] = d }
        }
        return out
    }

    /// Plain SHA-256 of each file (whole contents), in the order given.
    public func hashFiles(_ files: [(path: String, size: UInt64)]) throws -> [SHA256Digest] {
        try run(files.map { HashJob.wholeFile(path: $0.path, size: $0.size) }).map { $0[0] }
    }

    /// Work units (job indices), costliest first. With SHA-NI, jobs taken in order of cost
    /// are joined in pairs while more units than workers remain, each with the next job when
    /// that one costs at least half as much (a pair runs in step only while both have bytes
    /// left; a long job beside a short one would run mostly alone anyway).
    func units(_ jobs: [HashJob]) -> [[Int]] {
        let single = jobs.map { cost([$0]) }
        let order = jobs.indices.sorted { single[$0] != single[$1] ? single[$0] > single[$1] : $0 < $1 }
        guard streamsPerCore > 1 else { return order.map { [$0] } }
        var units: [[Int]] = []
        var k = 0
        while k < order.count {
            let remaining = units.count + (order.count - k)
            if k + 1 < order.count, remaining - 1 >= workers, single[order[k + 1]] * 2 >= single[order[k]] {
                units.append([order[k], order[k + 1]])
                k += 2
            } else {
                units.append([order[k]])
                k += 1
            }
        }
        let unitCost = units.map { cost($0.map { jobs[$0] }) }
        return units.indices.sorted { unitCost[$0] != unitCost[$1] ? unitCost[$0] > unitCost[$1] : $0 < $1 }.map { units[$0] }
    }

    /// Estimated time of a unit in one-stream bytes: its stream bytes over the speed-up of
    /// the streams it runs at once (measured per core on Zen 5: 2 streams 1.5×, 3 1.7×, 4 1.8×).
    func cost(_ unit: [HashJob]) -> UInt64 {
        let bytes = unit.reduce(UInt64(0)) { $0 + $1.streamBytes }
        let streams = streamsPerCore == 1 ? 1 : min(streamsPerCore, unit.reduce(0) { $0 + $1.streams })
        let speedup: [UInt64] = [10, 10, 15, 17, 18]
        return bytes * 10 / speedup[streams]
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
