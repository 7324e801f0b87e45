import Foundation
import TemperFormats

/// One tensor that differs between the two checkpoints.
public struct TensorDifference: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable { case added, removed, changed }
    public var name: String
    public var status: Status
    public var layer: Int?
    public var dtypeA: String?, dtypeB: String?
    public var shapeA: [Int]?, shapeB: [Int]?
    /// ‖B − A‖₂ / ‖A‖₂ in f64 (nil when not numeric, shapes differ, ‖A‖ = 0 or a value is not finite).
    public var relativeL2: Double?
    /// ‖B − A‖₂ (nil when not comparable element by element).
    public var l2Difference: Double?
    public var maxAbsDifference: Double?
    public var dtypeChanged: Bool { dtypeA != nil && dtypeB != nil && dtypeA != dtypeB }
    public var shapeChanged: Bool { shapeA != nil && shapeB != nil && shapeA != shapeB }
}

/// Totals for one layer (`layers.N`, `layer.N`, `blk.N`, `h.N`), or for the tensors outside layers (`layer == nil`).
public struct LayerDifference: Sendable, Codable, Equatable {
    public var layer: Int?
    public var added = 0, removed = 0, changed = 0, unchanged = 0
    /// ‖B − A‖₂ / ‖A‖₂ over all element-comparable tensors of the layer.
    public var relativeL2: Double?
    public var maxRelativeL2: Double?
}

public struct CheckpointDiffReport: Sendable, Codable, Equatable {
    public var a: String
    public var b: String
    public var tensorsA: Int
    public var tensorsB: Int
    public var unchanged: Int
    /// Added, removed and changed tensors, by layer then name.
    public var differences: [TensorDifference]
    public var layers: [LayerDifference]
    public var identical: Bool { differences.isEmpty }
}

/// Tensor-by-tensor comparison of two checkpoints (a weight file or a folder of them).
public enum CheckpointDiff {
    public static func compare(_ a: String, _ b: String, tensorLister: @escaping TensorLister = TensorListing.default,
                               workers: Int = ProcessInfo.processInfo.activeProcessorCount) throws -> CheckpointDiffReport {
        let left = try tensors(of: a, lister: tensorLister)
        let right = try tensors(of: b, lister: tensorLister)
        var rightByName: [[UInt8]: TensorSource] = [:]
        for t in right { rightByName[Array(t.record.name.utf8)] = t }
        let leftNames = Set(left.map { Array($0.record.name.utf8) })

        var differences: [TensorDifference] = []
        var pairs: [(TensorSource, TensorSource)] = []
        for l in left {
            guard let r = rightByName[Array(l.record.name.utf8)] else {
                differences.append(TensorDifference(name: l.record.name, status: .removed, layer: layerIndex(l.record.name),
                                                    dtypeA: l.record.dtype.rawValue, shapeA: l.record.shape))
                continue
            }
            pairs.append((l, r))
        }
        for r in right where !leftNames.contains(Array(r.record.name.utf8)) {
            differences.append(TensorDifference(name: r.record.name, status: .added, layer: layerIndex(r.record.name),
                                                dtypeB: r.record.dtype.rawValue, shapeB: r.record.shape))
        }

        let results = JobResults<ComparisonStats>(count: pairs.count)
        let comparable = pairs.map { $0.0.record.shape == $0.1.record.shape }
        let work = pairs
        DispatchQueue.concurrentPerform(iterations: max(1, min(workers, pairs.count))) { _ in
            while let i = results.claim() {
                let (l, r) = work[i]
                results.store(i, Result {
                    if !comparable[i] { var s = ComparisonStats(); s.bytesEqual = false; s.numeric = false; return s }
                    return try TensorComparison.compare(l, r)
                })
            }
        }
        let stats = try results.values()

        var layers: [Int?: (LayerDifference, ssd: Double, ssa: Double)] = [:]
        func layerEntry(_ layer: Int?) -> (LayerDifference, ssd: Double, ssa: Double) {
            layers[layer] ?? (LayerDifference(layer: layer), 0, 0)
        }
        for d in differences {
            var e = layerEntry(d.layer)
            if d.status == .added { e.0.added += 1 } else { e.0.removed += 1 }
            layers[d.layer] = e
        }
        var unchanged = 0
        for (i, (l, r)) in pairs.enumerated() {
            let s = stats[i]
            let layer = layerIndex(l.record.name)
            var e = layerEntry(layer)
            let finite = s.sumSquaredDifference.isFinite && s.sumSquaredBase.isFinite
            if s.numeric && finite { e.ssd += s.sumSquaredDifference; e.ssa += s.sumSquaredBase }
            let same = s.bytesEqual && l.record.dtype == r.record.dtype && l.record.shape == r.record.shape
            if same {
                e.0.unchanged += 1; unchanged += 1
            } else {
                e.0.changed += 1
                var d = TensorDifference(name: l.record.name, status: .changed, layer: layer,
                                         dtypeA: l.record.dtype.rawValue, dtypeB: r.record.dtype.rawValue,
                                         shapeA: l.record.shape, shapeB: r.record.shape)
                if s.numeric && finite {
                    d.l2Difference = s.sumSquaredDifference.squareRoot()
                    d.maxAbsDifference = s.maxAbsDifference.isFinite ? s.maxAbsDifference : nil
                    if s.sumSquaredBase > 0 { d.relativeL2 = (s.sumSquaredDifference / s.sumSquaredBase).squareRoot() }
                }
                if let rel = d.relativeL2 { e.0.maxRelativeL2 = max(e.0.maxRelativeL2 ?? 0, rel) }
                differences.append(d)
            }
            layers[layer] = e
        }
        let layerList = layers.values.map { entry -> LayerDifference in
            var l = entry.0
            if entry.ssa > 0 { l.relativeL2 = (entry.ssd / entry.ssa).squareRoot() }
            return l
        }.sorted { ($0.layer ?? Int.max) < ($1.layer ?? Int.max) }
        differences.sort { a, b in
            let la = a.layer ?? Int.max, lb = b.layer ?? Int.max
            return la != lb ? la < lb : Array(a.name.utf8).lexicographicallyPrecedes(Array(b.name.utf8))
        }
        return CheckpointDiffReport(a: a, b: b, tensorsA: left.count, tensorsB: right.count, unchanged: unchanged,
                                    differences: differences, layers: layerList)
    }

    /// The layer number in names like `model.layers.3.mlp`, `blk.3.attn_q`, `transformer.h.3.attn`,
    /// `encoder.layer.3.output`; nil for tensors outside numbered layers.
    public static func layerIndex(_ name: String) -> Int? {
        let parts = name.split(separator: ".")
        for i in parts.indices.dropLast() where ["layers", "layer", "blk", "h"].contains(parts[i]) {
            if let n = Int(parts[i + 1]), n >= 0 { return n }
        }
        return nil
    }

    /// All tensors of a weight file, or of every weight file in a folder (names must be unique).
    static func tensors(of path: String, lister: TensorLister) throws -> [TensorSource] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw IntegrityError.notFound(path: path) }
        let entries: [FolderEntry]
        if isDirectory.boolValue {
            var ignore = IgnoreRules(IgnoreRules.gitPaths)
            for name in ManifestBuilder.excludedNames + [ModelFolder.defaultSignatureName] { ignore.add(name) }
            entries = try FolderWalker(ignore: ignore).list(path)
        } else {
            entries = [FolderEntry(relativePath: URL(fileURLWithPath: path).lastPathComponent, path: path, size: 0)]
        }
        var out: [TensorSource] = []
        var owner: [[UInt8]: String] = [:]
        for entry in entries {
            guard let records = try lister(entry.path, entry.relativePath) else { continue }
            for r in records {
                let key = Array(r.name.utf8)
                if let first = owner[key] {
                    throw IntegrityError.tensorListing(path: path, reason: "tensor '\(r.name)' appears in both \(first) and \(entry.relativePath)")
                }
                owner[key] = entry.relativePath
                out.append(TensorSource(path: entry.path, record: r))
            }
        }
        if out.isEmpty {
            throw IntegrityError.tensorListing(path: path, reason: isDirectory.boolValue
                ? "no tensors found (no weight file Temper can read in the folder)" : "not a weight file Temper can read")
        }
        return out
    }
}
