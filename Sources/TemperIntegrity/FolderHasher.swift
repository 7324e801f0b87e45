import Foundation
import TemperFormats

/// Lists the tensors of one file: `(path to open, folder-relative path)` → records with
/// absolute `fileRange`s, or nil when the file is not a weight file Temper reads.
public typealias TensorLister = @Sendable (_ path: String, _ relativePath: String) throws -> [TensorRecord]?

/// Hashes every file of a folder (and, where the lister knows the format, every tensor)
/// over all cores. Whole-file digests and tensor digests are separate jobs so a single big
/// weight file keeps two cores busy.
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
        var jobs = entries.map { HashJob.wholeFile(path: $0.path, size: $0.size) }
        // For each entry with tensors: the records and the job indices that hash them.
        var tensorPlans: [Int: (records: [TensorRecord], jobs: [(job: Int, members: [Int])])] = [:]
        if withTensors {
            for (index, entry) in entries.enumerated() where tensorsFor(entry.relativePath) {
                guard let records = try tensorLister(entry.path, entry.relativePath) else { continue }
                for r in records where r.fileRange.upperBound > entry.size {
                    throw IntegrityError.tensorRangeOutsideFile(path: entry.path, tensor: r.name, end: r.fileRange.upperBound, fileSize: entry.size)
                }
                var plan: [(job: Int, members: [Int])] = []
                for group in groups(records) {
                    let targets = group.map { records[$0].fileRange }
                    let span = (targets.map(\.lowerBound).min() ?? 0)..<(targets.map(\.upperBound).max() ?? 0)
                    plan.append((jobs.count, group))
                    jobs.append(HashJob(path: entry.path, span: span, targets: targets, expectedFileSize: entry.size))
                }
                tensorPlans[index] = (records, plan)
            }
        }
        let digests = try hasher.run(jobs)
        return entries.enumerated().map { index, entry in
            var file = FileDigest(path: entry.relativePath, size: entry.size, sha256: digests[index][0])
            if let plan = tensorPlans[index] {
                var tensorDigests: [TensorDigest] = []
                for (job, members) in plan.jobs {
                    for (k, member) in members.enumerated() {
                        let r = plan.records[member]
                        tensorDigests.append(TensorDigest(name: r.name, dtype: r.dtype.rawValue, shape: r.shape,
                                                          begin: r.fileRange.lowerBound, end: r.fileRange.upperBound, sha256: digests[job][k]))
                    }
                }
                file.tensors = tensorDigests.sorted { ($0.begin, $0.end) < ($1.begin, $1.end) }
            }
            return file
        }
    }

    /// Record indices in file order, cut into runs of about `tensorGroupBytes`.
    private func groups(_ records: [TensorRecord]) -> [[Int]] {
        let order = records.indices.sorted { records[$0].fileRange.lowerBound < records[$1].fileRange.lowerBound }
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
