import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How `llama-gguf-split --split` cuts a model: at most N tensors per shard, or at most this
/// many bytes of (32-byte padded) tensor data per shard.
public enum GGUFSplitLimit: Sendable, Equatable {
    case tensors(Int)
    case bytes(UInt64)
}

/// Writes a GGUF as the shards llama.cpp's `llama-gguf-split --split` writes (llama.cpp
/// tools/gguf-split/gguf-split.cpp `split_strategy`, names from src/llama.cpp `llama_split_path`):
/// `PREFIX-00001-of-0000K.gguf` …, PREFIX being OUT without `.gguf`. Shard 1 holds every KV pair
/// of the model (an existing `split.*` key dropped), each shard then `split.no` (u16, from 0),
/// `split.tensors.count` (i32, the total) and `split.count` (u16) — in that order, because
/// gguf-split sets split.count twice and `gguf_set_val_*` moves a re-set key to the end.
/// Tensors keep the model's order; a new shard starts at tensor i when i > 0 and i is a
/// multiple of N (`--split-max-tensors`), or when the shard's padded tensor bytes would pass
/// SIZE (`--split-max-size`; a tensor larger than SIZE alone is `FormatError.invalidContent`,
/// where gguf-split stops with "one of splits have 0 tensors"). Data is aligned to 32 in
/// every shard. All shards are staged in one hidden folder beside OUT and renamed out only
/// when all are complete, so either all appear or none (a crash between the renames can
/// leave a subset, which `GGUFSplit.shards` reports as a missing shard).
public enum GGUFSplitWriter {
    /// `llama_split_path`: "%s-%05d-of-%05d.gguf".
    public static func shardNames(prefix: String, count: Int) -> [String] {
        (0..<count).map { prefix + String(format: "-%05d-of-%05d.gguf", $0 + 1, count) }
    }

    /// The shard file URLs for `output` (a .gguf path) and `count` shards.
    public static func shardURLs(for output: URL, count: Int) -> [URL] {
        let name = output.lastPathComponent
        let prefix = name.lowercased().hasSuffix(".gguf") ? String(name.dropLast(5)) : name
        return shardNames(prefix: prefix, count: count).map { output.deletingLastPathComponent().appendingPathComponent($0) }
    }

    /// Each shard's tensor index range, as `split_strategy` cuts them. Only a first tensor larger
    /// than SIZE leaves a shard empty (gguf-split's error); a later one gets a shard of its own.
    public static func plan(_ tensors: [GGUFTensorInfo], limit: GGUFSplitLimit, path: String) throws -> [Range<Int>] {
        if case let .tensors(n) = limit, n < 1 {
            throw FormatError.invalidContent(path: path, rule: "--split-max-tensors \(n): a shard holds at least one tensor")
        }
        var starts = [0], current: UInt64 = 0
        for (i, t) in tensors.enumerated() {
            let padded = (t.byteCount + 31) / 32 * 32
            let cut: Bool
            switch limit {
            case let .tensors(n): cut = i > 0 && i % n == 0
            case let .bytes(max): cut = current + padded > max
            }
            guard cut else { current += padded; continue }
            if i == 0, case let .bytes(max) = limit {
                throw FormatError.invalidContent(path: path, rule: "tensor '\(t.name)' takes \(padded) bytes, more than --split-max-size \(max): the first shard would hold no tensors")
            }
            starts.append(i); current = padded
        }
        let bounds = starts + [tensors.count]
        return (0..<starts.count).map { bounds[$0]..<bounds[$0 + 1] }
    }

    /// Runs `writeWhole` into a hidden file beside `output` (named as AtomicFile's temporary
    /// files, so a killed run's leftover is swept), splits it into `output`'s shards and removes
    /// it. Returns the shard URLs and what `writeWhole` returned.
    public static func writeThroughWhole<T>(to output: URL, limit: GGUFSplitLimit, replace: Bool,
                                            _ writeWhole: (URL) throws -> T) throws -> (shards: [URL], result: T) {
        let whole = output.deletingLastPathComponent()
            .appendingPathComponent(".\(output.lastPathComponent).temper-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp")
        defer { unlink(whole.path) }
        let result = try writeWhole(whole)
        let shards = try write(try GGUFFile(url: whole), to: output, limit: limit, replace: replace)
        return (shards, result)
    }

    /// Writes `source`'s shards for `output`; returns their URLs. Existing shard files are an
    /// error unless `replace`.
    @discardableResult
    public static func write(_ source: GGUFFile, to output: URL, limit: GGUFSplitLimit, replace: Bool = false) throws -> [URL] {
        guard source.alignment == GGUFFile.defaultAlignment else {
            throw FormatError.unsupportedInput(path: source.path, reason: "general.alignment \(source.alignment): llama-gguf-split pads tensor data to 32 bytes in every shard, so only 32-byte-aligned models are split")
        }
        let ranges = try plan(source.tensors, limit: limit, path: source.path)
        guard ranges.count <= Int(UInt16.max) else {  // split.no and split.count are u16
            throw FormatError.invalidContent(path: source.path, rule: "\(ranges.count) shards: split.count is a u16 (at most \(UInt16.max)); raise the limit")
        }
        let urls = shardURLs(for: output, count: ranges.count)
        if !replace, let existing = urls.first(where: { FileManager.default.fileExists(atPath: $0.path) }) {
            throw FormatError.io(path: existing.path, reason: "already exists (choose another output or pass --force)")
        }
        let staging = try AtomicFolder(url: output.standardizedFileURL.deletingLastPathComponent().appendingPathComponent(output.lastPathComponent + ".split"))
        defer { staging.abandon() }
        let total = Int32(clamping: source.tensors.count)
        let model = source.metadata.filter { ![GGUFSplit.indexKey, GGUFSplit.countKey, GGUFSplit.tensorsKey].contains($0.key) }
        for (i, range) in ranges.enumerated() {
            var kv = i == 0 ? model : []
            kv += [GGUFKeyValue(GGUFSplit.indexKey, .uint16(UInt16(i))), GGUFKeyValue(GGUFSplit.tensorsKey, .int32(total)),
                   GGUFKeyValue(GGUFSplit.countKey, .uint16(UInt16(ranges.count)))]
            let tensors = Array(source.tensors[range])
            let writer = GGUFWriter(url: staging.stagingURL.appendingPathComponent(urls[i].lastPathComponent))
            do {
                try writer.writeHeader(metadata: kv, tensorCount: tensors.count)
                try writer.writeTensorInfos(tensors.map { GGUFTensorSpec(name: $0.name, shape: $0.shape, type: $0.type) })
                for t in tensors { try writer.writeTensorData(source.bytes(of: t)) }
                try writer.finish()
            } catch {
                writer.abandon()
                throw error
            }
        }
        var moved: [URL] = []
        for url in urls {
            if rename(staging.stagingURL.appendingPathComponent(url.lastPathComponent).path, url.path) != 0 {
                let reason = String(cString: strerror(errno))
                for done in moved { unlink(done.path) }
                throw FormatError.io(path: url.path, reason: "rename failed: \(reason)")
            }
            moved.append(url)
        }
        let dirfd = open(output.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY)
        if dirfd >= 0 { fsync(dirfd); close(dirfd) }
        return urls
    }
}
