import Foundation

/// An opened weight file that lists its tensors and hands out their bytes without copying.
/// Safetensors files conform; other formats (GGUF) can conform and join a `Checkpoint`.
public protocol TensorFile: AnyObject, Sendable {
    var url: URL { get }
    /// Tensors in file (header) order.
    var tensors: [TensorRecord] { get }
    /// Format-level string metadata in file order (safetensors `__metadata__`).
    var metadata: [(key: String, value: String)] { get }
    /// Zero-copy view of a tensor's bytes, valid while this object is alive.
    /// Throws when the record's range does not lie inside the file.
    func bytes(of record: TensorRecord) throws -> UnsafeRawBufferPointer
}

/// A tensor copied out of its file into memory.
public struct LoadedTensor: Sendable, Equatable {
    public let record: TensorRecord
    public let bytes: [UInt8]
    public init(record: TensorRecord, bytes: [UInt8]) { self.record = record; self.bytes = bytes }
}

extension TensorFile {
    /// The record named `name`, if the file has one.
    public func record(named name: String) -> TensorRecord? { tensors.first { $0.name == name } }

    /// Calls `body` with the tensor's bytes; the pointer must not escape the closure.
    public func withBytes<R>(of record: TensorRecord, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        try body(try bytes(of: record))
    }

    /// Copies one tensor into a new array (one memcpy from the mapping).
    public func load(_ record: TensorRecord) throws -> [UInt8] {
        let source = try bytes(of: record)
        return [UInt8](unsafeUninitializedCapacity: source.count) { buffer, initialized in
            if let base = source.baseAddress, let target = buffer.baseAddress { memcpy(target, base, source.count) }
            initialized = source.count
        }
    }

    /// Copies every tensor into memory, in file order.
    public func loadAll() throws -> [LoadedTensor] {
        try tensors.map { LoadedTensor(record: $0, bytes: try load($0)) }
    }
}
