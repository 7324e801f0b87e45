import Foundation

/// Models split by llama.cpp's `gguf-split` (or gguf-py's writer with `split_max_*`):
/// `NAME-00001-of-00003.gguf` …, each a complete GGUF file; the first holds all metadata,
/// every shard holds `split.no` (u16, from 0), `split.count` (u16) and
/// `split.tensors.count` (i32, the total). Each tensor is in exactly one shard.
public enum GGUFSplit {
    public static let indexKey = "split.no", countKey = "split.count", tensorsKey = "split.tensors.count"

    /// The shards of the model `first` opens, in order: `[first]` when it is not split.
    /// Opening a later shard, a missing or inconsistent sibling, a tensor in two shards or a
    /// wrong total are typed errors naming the shard and key.
    public static func shards(of first: GGUFFile) throws -> [GGUFFile] {
        guard let count = try integer(first, countKey), count > 1 else { return [first] }
        let index = try integer(first, indexKey) ?? 0
        guard index == 0 else {
            throw FormatError.unsupportedInput(path: first.path, reason: "\(indexKey) = \(index): open the first shard (…-00001-of-\(String(format: "%05d", count)).gguf)")
        }
        let url = URL(fileURLWithPath: first.path)
        let name = url.lastPathComponent
        let suffix = String(format: "-00001-of-%05d.gguf", count)
        guard name.hasSuffix(suffix) else {
            throw FormatError.invalidMetadata(path: first.path, reason: "\(countKey) = \(count) but the file name does not end in '\(suffix)'")
        }
        let stem = String(name.dropLast(suffix.count))
        var shards = [first]
        for i in 1..<count {
            let sibling = url.deletingLastPathComponent().appendingPathComponent(stem + String(format: "-%05d-of-%05d.gguf", i + 1, count))
            guard FileManager.default.fileExists(atPath: sibling.path) else {
                throw FormatError.missingShard(path: first.path, shard: sibling.lastPathComponent)
            }
            let shard = try GGUFFile(url: sibling)
            guard try integer(shard, indexKey) == i, try integer(shard, countKey) == count else {
                throw FormatError.invalidMetadata(path: shard.path, reason: "expected \(indexKey) = \(i) and \(countKey) = \(count)")
            }
            shards.append(shard)
        }
        var seen = Set<String>()
        for shard in shards {
            for t in shard.tensors where !seen.insert(t.name).inserted {
                throw FormatError.duplicateTensor(path: shard.path, tensor: t.name)
            }
        }
        if let total = try integer(first, tensorsKey), total != seen.count {
            throw FormatError.invalidMetadata(path: first.path, reason: "\(tensorsKey) = \(total) but the shards hold \(seen.count) tensors")
        }
        return shards
    }

    static func integer(_ file: GGUFFile, _ key: String) throws -> Int? {
        guard let value = file.value(forKey: key) else { return nil }
        guard let v = value.integerValue, let i = Int(exactly: v), i >= 0, i <= Int(UInt16.max) * 64 else {
            throw FormatError.invalidMetadata(path: file.path, reason: "\(key) = \(value) is not a valid count")
        }
        return i
    }
}
