import Foundation

/// Splits a stream of tensors into safetensors shards the way huggingface_hub's
/// `split_state_dict_into_shards_factory` does, and writes transformers' index file.
///
/// Split rule, walking the tensors in the given order: a tensor larger than the limit gets a
/// shard of its own (appended at once); otherwise, if it would push the current shard over
/// the limit, the current shard is closed first. Shards are named
/// `model-00001-of-00003.safetensors`; a single shard is `model.safetensors` with no index,
/// as transformers writes it. Each file is written atomically; the index comes last.
public final class ShardedCheckpointWriter {
    public let folder: URL
    /// Shard file names and their layouts, in writing order.
    public let shardNames: [String]
    public let layouts: [SafetensorsLayout]
    /// `model.safetensors.index.json` text (nil for a single shard).
    public let indexBytes: [UInt8]?
    private var current = -1
    private var writer: SafetensorsWriter?
    private var finished = false

    /// - Parameters:
    ///   - maxShardBytes: the limit on a shard's tensor bytes (headers not counted, as in hf).
    ///   - shardMetadata: each shard's `__metadata__` (transformers writes `format: pt`).
    ///   - order: tensor order inside each shard (`.reference` = what safetensors writes).
    ///   - extraIndexMetadata: more `metadata` members for the index besides `total_size`.
    public init(folder: URL, tensors: [TensorSpec], maxShardBytes: UInt64,
                shardMetadata: [(key: String, value: String)]? = [("format", "pt")],
                order: TensorOrder = .reference, extraIndexMetadata: [OrderedJSON.Member] = [],
                baseName: String = "model") throws {
        self.folder = folder
        let groups = try Self.split(tensors, maxShardBytes: maxShardBytes, path: folder.path)
        var names: [String] = []
        if groups.count == 1 {
            names = ["\(baseName).safetensors"]
        } else {
            for i in groups.indices { names.append("\(baseName)-\(Self.fiveDigits(i + 1))-of-\(Self.fiveDigits(groups.count)).safetensors") }
        }
        var layouts: [SafetensorsLayout] = []
        for (name, group) in zip(names, groups) {
            layouts.append(try SafetensorsLayout(tensors: group, metadata: shardMetadata, order: order,
                                                 path: folder.appendingPathComponent(name).path))
        }
        shardNames = names
        self.layouts = layouts
        if groups.count > 1 {
            var total: UInt64 = 0
            var map: [OrderedJSON.Member] = []
            for (name, layout) in zip(names, layouts) {
                total += layout.dataSize  // cannot overflow: split() summed the same sizes
                map += layout.tensors.map { .init(key: $0.name, value: .string(name)) }
            }
            indexBytes = Self.indexJSON(totalSize: total, extra: extraIndexMetadata, weightMap: map)
        } else {
            indexBytes = nil
        }
    }

    /// Tensors in the order their bytes must be supplied (shard by shard).
    public var expectedOrder: [TensorSpec] { layouts.flatMap(\.tensors) }

    /// Appends a chunk of tensor `name`; moves to the next shard when the current one is full.
    public func append(_ name: String, _ chunk: UnsafeRawBufferPointer) throws {
        guard !finished else { throw FormatError.writerState(expected: "nothing (writer finished)", got: "bytes of '\(name)'") }
        let next = current + 1
        let atShardEnd = writer?.isComplete ?? true
        if atShardEnd, next < layouts.count, layouts[next].tensors.first?.name == name {
            if let writer { try writer.finish() }
            writer = try SafetensorsWriter(url: folder.appendingPathComponent(shardNames[next]), layout: layouts[next])
            current = next
        }
        guard let writer, !(writer.isComplete && next < layouts.count) else {
            let expected = layouts[next...].lazy.compactMap(\.tensors.first).first.map { "bytes of '\($0.name)'" } ?? "finish()"
            throw FormatError.writerState(expected: expected, got: "bytes of '\(name)'")
        }
        try writer.append(name, chunk)
    }

    public func append(_ name: String, _ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try append(name, $0) }
    }

    /// Finishes the last shard (every tensor must have been supplied) and writes the index.
    public func finish() throws {
        guard !finished else { throw FormatError.writerState(expected: "nothing (writer finished)", got: "finish()") }
        if writer == nil, layouts.count == 1, layouts[0].tensors.isEmpty {  // no tensors at all: one empty file
            writer = try SafetensorsWriter(url: folder.appendingPathComponent(shardNames[0]), layout: layouts[0])
            current = 0
        }
        guard current == layouts.count - 1, let writer, writer.isComplete else {
            throw FormatError.writerState(expected: "bytes of all \(expectedOrder.count) tensors", got: "finish()")
        }
        try writer.finish()
        if let indexBytes {
            try AtomicFile.write(Data(indexBytes), to: folder.appendingPathComponent(ShardedCheckpoint.indexFileName))
        }
        finished = true
    }

    /// Drops the shard being written; shards already finished stay on disk.
    public func abandon() {
        finished = true
        writer?.abandon()
    }

    // MARK: planning

    /// huggingface_hub's split: see the type comment.
    public static func split(_ tensors: [TensorSpec], maxShardBytes: UInt64, path: String = "") throws -> [[TensorSpec]] {
        var shards: [[TensorSpec]] = []
        var currentShard: [TensorSpec] = []
        var currentSize: UInt64 = 0
        var total: UInt64 = 0
        for spec in tensors {
            let size = try spec.byteCount(path: path)
            let (sum, overflow) = total.addingReportingOverflow(size)
            guard !overflow else { throw FormatError.invalidShape(path: path, tensor: spec.name, reason: "total size overflows 64 bits") }
            total = sum
            if size > maxShardBytes { shards.append([spec]); continue }
            if currentSize + size > maxShardBytes {
                shards.append(currentShard)
                currentShard = []
                currentSize = 0
            }
            currentShard.append(spec)
            currentSize += size
        }
        if !currentShard.isEmpty || shards.isEmpty { shards.append(currentShard) }
        return shards
    }

    static func fiveDigits(_ n: Int) -> String {
        let text = String(n)
        return text.count >= 5 ? text : String(repeating: "0", count: 5 - text.count) + text
    }

    /// transformers: `json.dumps(index, indent=2, sort_keys=True) + "\n"`.
    static func indexJSON(totalSize: UInt64, extra: [OrderedJSON.Member], weightMap: [OrderedJSON.Member]) -> [UInt8] {
        // Python sorts str keys by code point, which is UTF-8 byte order.
        let byKey: (OrderedJSON.Member, OrderedJSON.Member) -> Bool = { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        let metadata = ([OrderedJSON.Member(key: "total_size", value: .number(String(totalSize)))] + extra.filter { $0.key != "total_size" }).sorted(by: byKey)
        let index = OrderedJSON.object([
            .init(key: "metadata", value: .object(metadata)),
            .init(key: "weight_map", value: .object(weightMap.sorted(by: byKey))),
        ])
        return index.serialized(style: .pythonIndented(2)) + [0x0A]
    }
}
