import Foundation
import TemperFormats

/// Lists the tensors of one file: `(path to open, folder-relative path)` → records with
/// absolute `fileRange`s, or nil when the file is not a weight file Temper reads.
public typealias TensorLister = @Sendable (_ path: String, _ relativePath: String) throws -> [TensorRecord]?

/// Hashes every file of a folder (and, where the lister knows the format, every tensor)
/// over all cores. A weight file is read once for its own digest and its tensors' digests;
/// only one bigger than a fair share of the work is split into a whole-file job and tensor
/// jobs, so that a single big file keeps every core busy.
public struct FolderHasher: Sendable {
    public var walker: FolderWalker
    public var hasher: ParallelHasher
    public var tensorLister: TensorLister
    /// Consecutive small tensors are hashed in one job of about this many bytes.
    public var tensorGroupBytes: UInt64 = 32 << 20

    public init(walker: FolderWalker = FolderWalker(), hasher: ParallelHasher = ParallelHasher(),
                tensorLister: @escaping TensorLister = TensorListing.default) {
        self.walker = walker; self.hasher = hasher; self.tensorLister = tensorLister
    }

    /// Every non-ignored file of `folder`, sorted, with digests; tensors for weight files
    /// when `withTensors` (and only for the relative paths `tensorsFor` accepts).
    public func hash(folder: String, withTensors: Bool = true,
                     tensorsFor: (String) -> Bool = { _ in true }) throws -> [FileDigest] {
        try hash(entries: try walker.list(folder), withTensors: withTensors, tensorsFor: tensorsFor)
    }

    /// Digests for already-listed entries (the verifier lists once, hashes twice).
    public func hash(entries: [FolderEntry], withTensors: Bool = true,
                     tensorsFor: (String) -> Bool = { _ in true }) throws -> [FileDigest] {
        // A weight file no bigger than a fair share of the work is read once for both its
        // digest and its tensors' digests; a bigger one is split (file digest and tensor
        // groups as separate jobs) so that it does not leave the other cores idle.
        let fairShare = entries.reduce(UInt64(0)) { $0 + $1.size } / UInt64(hasher.workers)
        var jobs: [HashJob] = []
        var plans: [FilePlan] = []
        for entry in entries {
            var records: [TensorRecord]?
            if withTensors && tensorsFor(entry.relativePath) {
                records = try tensorLister(entry.path, entry.relativePath)
                for r in records ?? [] where r.fileRange.upperBound > entry.size {
                    throw IntegrityError.tensorRangeOutsideFile(path: entry.path, tensor: r.name, end: r.fileRange.upperBound, fileSize: entry.size)
                }
            }
            guard let records else {
                plans.append(FilePlan(fileJob: jobs.count, records: nil, groups: []))
                jobs.append(.wholeFile(path: entry.path, size: entry.size))
                continue
            }
            let order = records.indices.sorted { records[$0].fileRange.lowerBound < records[$1].fileRange.lowerBound }
            if entry.size <= fairShare {
                plans.append(FilePlan(fileJob: jobs.count, records: records, groups: [(jobs.count, order, 1)]))
                jobs.append(HashJob(path: entry.path, span: 0..<entry.size, targets: order.map { records[$0].fileRange },
                                    alsoHashSpan: true, expectedFileSize: entry.size))
                continue
            }
            var plan = FilePlan(fileJob: jobs.count, records: records, groups: [])
            jobs.append(.wholeFile(path: entry.path, size: entry.size))
            for group in groups(order, records) {
                let targets = group.map { records[$0].fileRange }
                let span = (targets.first?.lowerBound ?? 0)..<(targets.map(\.upperBound).max() ?? 0)
                plan.groups.append((jobs.count, group, 0))
                jobs.append(HashJob(path: entry.path, span: span, targets: targets, expectedFileSize: entry.size))
            }
            plans.append(plan)
        }
        let results = try hasher.run(jobs)
        func digest(_ job: Int, _ d: Int) -> SHA256Digest { results[job][d] }
        return zip(entries, plans).map { entry, plan in
            var file = FileDigest(path: entry.relativePath, size: entry.size, sha256: digest(plan.fileJob, 0))
            if let records = plan.records {
                var tensors: [TensorDigest] = []
                for (job, members, offset) in plan.groups {
                    for (k, member) in members.enumerated() {
                        let r = records[member]
                        tensors.append(TensorDigest(name: r.name, dtype: r.dtype.rawValue, shape: r.shape,
                                                    begin: r.fileRange.lowerBound, end: r.fileRange.upperBound, sha256: digest(job, offset + k)))
                    }
                }
                file.tensors = tensors.sorted { ($0.begin, $0.end) < ($1.begin, $1.end) }
            }
            return file
        }
    }

    /// Where one file's digests come back: the job whose first digest is the file's, and for
    /// each tensor job the record indices it hashed and the slot of the first of them.
    private struct FilePlan {
        var fileJob: Int
        var records: [TensorRecord]?
        var groups: [(job: Int, members: [Int], firstSlot: Int)]
    }

    /// Record indices (already in file order) cut into runs of about `tensorGroupBytes`.
    private func groups(_ order: [Int], _ records: [TensorRecord]) -> [[Int]] {
        var out: [[Int]] = []
        var current: [Int] = []
        var bytes: UInt64 = 0
        for i in order {
            current.append(i)
            bytes += records[i].byteCount
            if bytes >= tensorGroupBytes { out.append(current); current = []; bytes = 0 }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }
}

/// The tensor listers Temper ships.
public enum TensorListing {
    /// Lists nothing: file digests only.
    public static let none: TensorLister = { _, _ in nil }

    /// `.safetensors` files (by name), read with TemperFormats' validating reader; a
    /// malformed file is its `FormatError` naming the file.
    public static let safetensors: TensorLister = { path, relativePath in
        guard relativePath.hasSuffix(".safetensors") else { return nil }
        return try SafetensorsFile(url: URL(fileURLWithPath: path)).tensors
    }

    /// What Temper lists by default: safetensors.
    public static let `default`: TensorLister = safetensors
}
