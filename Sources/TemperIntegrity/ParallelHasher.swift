import Foundation

/// One unit of hashing work: read `span` of the file at `path` once, in chunks, and
/// produce one SHA-256 per target range. Targets lie inside `span`, sorted by start and
/// not overlapping (a whole-file job has the single target `span`). With `alsoHashSpan`
/// the digest of the whole span comes first, computed in the same pass (a weight file's
/// digest and its tensors' digests from one read). A whole-file job may carry a `partner`
/// file hashed alongside it on the same core; the partner's digest comes last.
public struct HashJob: Sendable, Equatable {
    public struct File: Sendable, Equatable {
        public var path: String
        public var size: UInt64
    }

    public var path: String
    public var span: Range<UInt64>
    public var targets: [Range<UInt64>]
    public var alsoHashSpan: Bool
    /// The size the file had when the folder was listed; a different size now is an error.
    public var expectedFileSize: UInt64?
    public var partner: File?

    public init(path: String, span: Range<UInt64>, targets: [Range<UInt64>], alsoHashSpan: Bool = false,
                expectedFileSize: UInt64? = nil, partner: File? = nil) {
        self.path = path; self.span = span; self.targets = targets; self.alsoHashSpan = alsoHashSpan
        self.expectedFileSize = expectedFileSize; self.partner = partner
    }

    /// The plain SHA-256 of a whole file of `size` bytes.
    public static func wholeFile(path: String, size: UInt64) -> HashJob {
        HashJob(path: path, span: 0..<size, targets: [0..<size], expectedFileSize: size)
    }

    var isWholeFile: Bool { !alsoHashSpan && partner == nil && targets == [span] && span.lowerBound == 0 && expectedFileSize == span.upperBound }

    /// Estimated time in single-stream bytes: the scheduler starts the costliest jobs first.
    /// Two streams interleaved on one core run about 1.7× faster than one.
    var cost: UInt64 {
        let own = targets.reduce(UInt64(0)) { $0 + UInt64($1.count) }
        if alsoHashSpan { return (own + UInt64(span.count)) * 10 / 17 }
        guard let partner else { return own }
        let (short, long) = (min(own, partner.size), max(own, partner.size))
        return short * 20 / 17 + (long - short)
    }
}

/// Hashes many jobs over all cores with bounded memory: each worker owns its read buffers
/// (`chunkSize` bytes each) and takes the costliest remaining job first, so a big file starts
/// early and small ones fill the gaps. A single range is hashed sequentially (SHA-256
/// cannot be split); parallelism comes from files and tensors, and on CPUs with SHA-NI
/// from two streams interleaved on each core.
public struct ParallelHasher: Sendable {
    public var chunkSize: Int
    public var workers: Int
    /// Interleave two streams per core where the CPU has SHA-NI (tests turn it off to
    /// compare with libcrypto).
    public var interleave: Bool

    /// 1 MiB chunks stay in the L2 cache while a combined job hashes them twice.
    public init(chunkSize: Int = 1 << 20, workers: Int = ProcessInfo.processInfo.activeProcessorCount, interleave: Bool = true) {
        self.chunkSize = max(4096, chunkSize)
        self.workers = max(1, workers)
        self.interleave = interleave && SHA256NI.available
    }

    /// Digests per job, in job order, one per target (see `HashJob`). Throws the first failing job's error.
    public func run(_ jobs: [HashJob]) throws -> [[SHA256Digest]] {
        if jobs.isEmpty { return [] }
        let order = jobs.indices.sorted { jobs[$0].cost > jobs[$1].cost }
        let results = JobResults<[SHA256Digest]>(count: jobs.count)
        let runner = HashJobRunner(chunkSize: chunkSize, interleave: interleave)
        DispatchQueue.concurrentPerform(iterations: min(workers, jobs.count)) { _ in
            let buffers = runner.makeBuffers()
            defer { buffers.deallocate() }
            while let slot = results.claim() {
                let index = order[slot]
                results.store(index, Result { try runner.hash(jobs[index], buffers: buffers) })
            }
        }
        return try results.values()
    }

    /// Plain SHA-256 of each file (whole contents), in the order given.
    public func hashFiles(_ files: [(path: String, size: UInt64)]) throws -> [SHA256Digest] {
        let jobs = files.map { HashJob.wholeFile(path: $0.path, size: $0.size) }
        let (paired, slots) = pairWholeFiles(jobs)
        let digests = try run(paired)
        return slots.map { digests[$0.job][$0.digest] }
    }

    /// Joins whole-file jobs in pairs (similar sizes together) when interleaving is on and
    /// enough jobs remain to keep every worker busy. Returns the new jobs and, for each
    /// original job, where its first digest now is.
    func pairWholeFiles(_ jobs: [HashJob]) -> (jobs: [HashJob], slots: [(job: Int, digest: Int)]) {
        var slots = jobs.indices.map { (job: $0, digest: 0) }
        guard interleave else { return (jobs, slots) }
        let singles = jobs.indices.filter { jobs[$0].isWholeFile }.sorted { jobs[$0].span.count > jobs[$1].span.count }
        let pairs = min(singles.count / 2, max(0, jobs.count - workers))
        guard pairs > 0 else { return (jobs, slots) }
        var out: [HashJob] = []
        var dropped = Set<Int>()
        for p in 0..<pairs {
            let (i, j) = (singles[2 * p], singles[2 * p + 1])
            var job = jobs[i]
            job.partner = HashJob.File(path: jobs[j].path, size: jobs[j].span.upperBound)
            slots[i] = (out.count, 0); slots[j] = (out.count, 1)
            out.append(job)
            dropped.insert(i); dropped.insert(j)
        }
        for i in jobs.indices where !dropped.contains(i) {
            slots[i] = (out.count, 0)
            out.append(jobs[i])
        }
        return (out, slots)
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
