import Foundation

/// Streams a safetensors file to disk atomically. The layout (order, offsets, header) is fixed
/// up front; the caller then supplies each tensor's bytes in `layout.tensors` order, whole or
/// in chunks, and calls `finish()`. Anything out of order or of the wrong size is a
/// `.writerState` error, and nothing reaches the final name unless `finish()` succeeds.
public final class SafetensorsWriter {
    public let url: URL
    public let layout: SafetensorsLayout
    private let file: AtomicFile
    private var current = -1      // index of the tensor being filled; -1 before the first
    private var filled: UInt64 = 0
    private var finished = false
    private var pending: [UInt8] = []
    private static let bufferLimit = 1 << 20

    /// Starts a new file with the given tensors and metadata (`nil` = no `__metadata__`).
    public convenience init(url: URL, tensors: [TensorSpec], metadata: [(key: String, value: String)]? = nil,
                            order: TensorOrder = .reference) throws {
        try self.init(url: url, layout: SafetensorsLayout(tensors: tensors, metadata: metadata, order: order, path: url.path))
    }

    /// Rewrites `source` keeping its header bytes exactly; tensors follow in offset order.
    public convenience init(url: URL, preservingHeaderOf source: SafetensorsFile) throws {
        try self.init(url: url, layout: SafetensorsLayout(preserving: source))
    }

    public init(url: URL, layout: SafetensorsLayout) throws {
        self.url = url
        self.layout = layout
        file = try AtomicFile(url: url)
        var prefix = [UInt8](repeating: 0, count: 8)
        for i in 0..<8 { prefix[i] = UInt8(truncatingIfNeeded: layout.headerLength >> (8 * UInt64(i))) }
        pending = prefix + layout.header
    }

    /// Tensors in the order their bytes must be supplied.
    public var expectedOrder: [TensorSpec] { layout.tensors }

    /// Whether every tensor has been supplied in full (so `finish()` would succeed).
    public var isComplete: Bool {
        let last = layout.tensors.count - 1
        return current == last && (last < 0 || filled == size(last))
    }

    private func size(_ i: Int) -> UInt64 { layout.ranges[i].upperBound - layout.ranges[i].lowerBound }

    private func describeNext() -> String {
        if current >= 0, filled < size(current) { return "\(size(current) - filled) more bytes of '\(layout.tensors[current].name)'" }
        if current + 1 < layout.tensors.count { return "bytes of '\(layout.tensors[current + 1].name)'" }
        return "finish()"
    }

    /// Appends a chunk of tensor `name`. A tensor may take several chunks; a zero-byte
    /// tensor still needs one (empty) call so that every tensor is accounted for.
    public func append(_ name: String, _ chunk: UnsafeRawBufferPointer) throws {
        guard !finished else { throw FormatError.writerState(expected: "nothing (writer finished)", got: "bytes of '\(name)'") }
        if current < 0 || layout.tensors[current].name != name {
            let next = current + 1
            guard current < 0 || filled == size(current), next < layout.tensors.count, layout.tensors[next].name == name else {
                throw FormatError.writerState(expected: describeNext(), got: "bytes of '\(name)'")
            }
            current = next
            filled = 0
        }
        let room = size(current) - filled
        guard UInt64(chunk.count) <= room else {
            throw FormatError.writerState(expected: "at most \(room) more bytes of '\(name)'", got: "\(chunk.count) bytes")
        }
        try emit(chunk)
        filled += UInt64(chunk.count)
    }

    public func append(_ name: String, _ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try append(name, $0) }
    }

    public func append(_ name: String, _ data: Data) throws {
        try data.withUnsafeBytes { try append(name, $0) }
    }

    /// Small chunks are gathered into one buffer; large ones go straight to the file.
    private func emit(_ chunk: UnsafeRawBufferPointer) throws {
        do {
            if pending.count + chunk.count <= Self.bufferLimit {
                pending.append(contentsOf: chunk)
                return
            }
            try flush()
            if chunk.count >= Self.bufferLimit { try file.write(chunk) } else { pending.append(contentsOf: chunk) }
        } catch {
            abandon()
            throw error
        }
    }

    private func flush() throws {
        guard !pending.isEmpty else { return }
        try file.write(pending)
        pending.removeAll(keepingCapacity: true)
    }

    /// Checks that every tensor was supplied in full, then publishes the file.
    public func finish() throws {
        guard !finished else { throw FormatError.writerState(expected: "nothing (writer finished)", got: "finish()") }
        guard isComplete else {
            throw FormatError.writerState(expected: describeNext(), got: "finish()")
        }
        do {
            try flush()
            finished = true
            try file.commit()
        } catch {
            abandon()
            throw error
        }
    }

    /// Drops the partial file; the final name is untouched.
    public func abandon() {
        finished = true
        file.abandon()
    }

    deinit { if !finished { file.abandon() } }

    /// Writes a whole file in one call: `bytes` is asked for each tensor in file order.
    public static func write(to url: URL, tensors: [TensorSpec], metadata: [(key: String, value: String)]? = nil,
                             order: TensorOrder = .reference,
                             bytes: (TensorSpec) throws -> [UInt8]) throws {
        let writer = try SafetensorsWriter(url: url, tensors: tensors, metadata: metadata, order: order)
        do {
            for spec in writer.expectedOrder { try writer.append(spec.name, try bytes(spec)) }
            try writer.finish()
        } catch {
            writer.abandon()
            throw error
        }
    }
}
