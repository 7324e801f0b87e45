import Foundation

/// An opened, memory-mapped weight file that lists its tensors and hands out their bytes
/// without copying. Safetensors files conform; other formats (GGUF) can conform and join a
/// `Checkpoint`: they supply `mapped` and `tensors` (absolute file ranges) and get the rest.
public protocol TensorFile: AnyObject, Sendable {
    var url: URL { get }
    /// The mapping every record's `fileRange` points into.
    var mapped: MappedFile { get }
    /// Tensors in file (header) order.
    var tensors: [TensorRecord] { get }
    /// Format-level string metadata in file order (safetensors `__metadata__`).
    var metadata: [(key: String, value: String)] { get }
}

extension TensorFile {
    /// Zero-copy view of a tensor's bytes in the mapping, valid while this object is alive.
    /// Throws when the record's range does not lie inside the file.
    public func bytes(of record: TensorRecord) throws -> UnsafeRawBufferPointer {
        try mapped.slice(record.fileRange)
    }

    /// The record named `name`, if the file has one.
    public func record(named name: String) -> TensorRecord? { tensors.first { $0.name == name } }

    /// Calls `body` with the tensor's bytes; the pointer must not escape the closure.
    public func withBytes<R>(of record: TensorRecord, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        try body(try bytes(of: record))
    }

    /// Copies one tensor into a new array.
    public func load(_ record: TensorRecord) throws -> [UInt8] {
        let count = Int(record.byteCount)
        return try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            if let base = buffer.baseAddress, count > 0 {
                try mapped.read(into: base, offset: record.fileRange.lowerBound, count: count)
            }
            initialized = count
        }
    }

    /// Copies every tensor into one owned buffer, in file order.
    public func loadAll() throws -> LoadedTensors {
        try LoadedTensors.load(tensors.map { ($0, mapped) })
    }
}
