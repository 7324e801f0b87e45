import Foundation

/// What the writer needs to know about one tensor before any data is written.
public struct GGUFTensorSpec: Sendable, Equatable {
    public var name: String
    /// Outermost-first, like numpy; the file stores the reverse.
    public var shape: [Int]
    public var type: GGMLType

    public init(name: String, shape: [Int], type: GGMLType) {
        self.name = name; self.shape = shape; self.type = type
    }
}

/// Writes a GGUF v3 file in three phases, in this order:
/// `writeHeader(metadata:tensorCount:)` → `writeTensorInfos(_:)` → `writeTensorData(_:)`
/// once per tensor, in info order → `finish()`. Any other order throws
/// `FormatError.writerState`. Tensor data streams to disk one tensor at a time through
/// `AtomicFile`; the final name appears only on `finish()`. Padding matches gguf-py's
/// `GGUFWriter`: the info section is zero-padded to the alignment, and so is every
/// tensor's data, so gguf-py and Temper write identical bytes from the same inputs.
public final class GGUFWriter {
    private enum State: String { case empty = "header", header = "tensor infos", data = "tensor data", finished = "nothing (finished)" }

    public let url: URL
    public private(set) var alignment = GGUFFile.defaultAlignment
    private var state = State.empty
    private var file: AtomicFile?
    private var expectedTensors = 0
    private var pending: [(spec: GGUFTensorSpec, bytes: UInt64)] = []
    private var nextTensor = 0

    public init(url: URL) {
        self.url = url
    }

    /// Magic, version, counts and the metadata, in the order given. The alignment comes
    /// from `general.alignment` when present (a u32 power of two), else 32.
    public func writeHeader(metadata: [GGUFKeyValue], tensorCount: Int) throws {
        try expect(.empty, "header")
        guard tensorCount >= 0 else { throw FormatError.invalidHeader(path: url.path, reason: "negative tensor count \(tensorCount)") }
        var seen = Set<String>()
        for kv in metadata {
            guard seen.insert(kv.key).inserted else { throw FormatError.duplicateKey(path: url.path, key: kv.key) }
            guard kv.value.isWellTyped else {
                throw FormatError.invalidMetadata(path: url.path, reason: "key '\(kv.key)': array element of the wrong type")
            }
            if kv.key == GGUFFile.alignmentKey {
                guard case let .uint32(a) = kv.value else {
                    throw FormatError.invalidMetadata(path: url.path, reason: "\(GGUFFile.alignmentKey) must be a u32")
                }
                guard a != 0, a & (a - 1) == 0 else { throw FormatError.invalidAlignment(path: url.path, alignment: UInt64(a)) }
                alignment = Int(a)
            }
        }
        var out: [UInt8] = GGUFFile.magic
        GGUFValue.appendLE(GGUFFile.supportedVersion, to: &out)
        GGUFValue.appendLE(UInt64(tensorCount), to: &out)
        GGUFValue.appendLE(UInt64(metadata.count), to: &out)
        for kv in metadata {
            GGUFValue.appendString(kv.key, to: &out)
            GGUFValue.appendLE(kv.value.type.rawValue, to: &out)
            kv.value.encode(into: &out)
        }
        let f = try AtomicFile(url: url)
        file = f
        try write(out)
        expectedTensors = tensorCount
        state = .header
    }

    /// Names, dimensions (written innermost-first), types and data offsets, then padding
    /// up to the start of the data section. Offsets advance by each tensor's padded size.
    public func writeTensorInfos(_ specs: [GGUFTensorSpec]) throws {
        try expect(.header, "tensor infos")
        guard specs.count == expectedTensors else {
            throw FormatError.writerState(expected: "\(expectedTensors) tensor infos (the header's count)", got: "\(specs.count)")
        }
        var out: [UInt8] = []
        var offset: UInt64 = 0
        var names = Set<String>()
        pending = []
        for spec in specs {
            guard names.insert(spec.name).inserted else { throw FormatError.duplicateTensor(path: url.path, tensor: spec.name) }
            let bytes = try Self.byteCount(of: spec, path: url.path)
            GGUFValue.appendString(spec.name, to: &out)
            GGUFValue.appendLE(UInt32(spec.shape.count), to: &out)
            for d in spec.shape.reversed() { GGUFValue.appendLE(UInt64(d), to: &out) }
            GGUFValue.appendLE(spec.type.rawValue, to: &out)
            GGUFValue.appendLE(offset, to: &out)
            let (next, overflow) = offset.addingReportingOverflow(padded(bytes))
            guard !overflow else { throw FormatError.invalidShape(path: url.path, tensor: spec.name, reason: "data offsets overflow 64 bits") }
            offset = next
            pending.append((spec, bytes))
        }
        try write(out)
        try writePadding(after: written)
        nextTensor = 0
        state = .data
    }

    /// The next tensor's bytes, exactly its byte count, followed by zero padding.
    public func writeTensorData(_ bytes: UnsafeRawBufferPointer) throws {
        try expect(.data, "tensor data")
        guard nextTensor < pending.count else {
            throw FormatError.writerState(expected: "finish() (all \(pending.count) tensors written)", got: "more tensor data")
        }
        let (spec, expected) = pending[nextTensor]
        guard UInt64(bytes.count) == expected else {
            throw FormatError.byteLengthMismatch(path: url.path, tensor: spec.name, shape: spec.shape, dtype: spec.type.name,
                                                 expected: expected, actual: UInt64(bytes.count))
        }
        try file?.write(bytes)
        written &+= UInt64(bytes.count)
        try writePadding(after: UInt64(bytes.count))
        nextTensor += 1
    }

    /// The next tensor's data in pieces: `produce` hands each piece to the sink it is given,
    /// in order; together they must be exactly the tensor's byte length (checked).
    public func writeTensorData(pieces produce: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        try expect(.data, "tensor data")
        guard nextTensor < pending.count else {
            throw FormatError.writerState(expected: "finish() (all \(pending.count) tensors written)", got: "more tensor data")
        }
        let (spec, expected) = pending[nextTensor]
        var count: UInt64 = 0
        let mismatch = { (actual: UInt64) in
            FormatError.byteLengthMismatch(path: self.url.path, tensor: spec.name, shape: spec.shape, dtype: spec.type.name,
                                           expected: expected, actual: actual)
        }
        try produce { piece in
            let (total, overflow) = count.addingReportingOverflow(UInt64(piece.count))
            guard !overflow, total <= expected else { throw mismatch(total) }
            try self.file?.write(piece)
            count = total
        }
        guard count == expected else { throw mismatch(count) }
        written &+= count
        try writePadding(after: count)
        nextTensor += 1
    }

    public func writeTensorData(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try writeTensorData($0) }
    }

    public func writeTensorData(_ data: Data) throws {
        try data.withUnsafeBytes { try writeTensorData($0) }
    }

    /// The name of the tensor whose data is due next, or nil when none is.
    public var nextTensorName: String? {
        state == .data && nextTensor < pending.count ? pending[nextTensor].spec.name : nil
    }

    /// Syncs and renames the file into place once every tensor has been written.
    public func finish() throws {
        try expect(.data, "finish")
        guard nextTensor == pending.count else {
            throw FormatError.writerState(expected: "data for tensor '\(pending[nextTensor].spec.name)'", got: "finish")
        }
        try file?.commit()
        file = nil
        state = .finished
    }

    /// Drops the partial file; the destination is left as it was.
    public func abandon() {
        file?.abandon()
        file = nil
        state = .finished
    }

    /// Bytes a tensor of this spec takes, with overflow and block-shape checks.
    public static func byteCount(of spec: GGUFTensorSpec, path: String) throws -> UInt64 {
        guard spec.shape.count <= GGUFFile.maxDimensions, spec.shape.allSatisfy({ $0 >= 0 }) else {
            throw FormatError.invalidShape(path: path, tensor: spec.name, reason: "shape \(spec.shape): at most \(GGUFFile.maxDimensions) non-negative dimensions")
        }
        var elements: UInt64 = 1
        for d in spec.shape {
            let (p, overflow) = elements.multipliedReportingOverflow(by: UInt64(d))
            guard !overflow else { throw FormatError.invalidShape(path: path, tensor: spec.name, reason: "element count of \(spec.shape) overflows") }
            elements = p
        }
        guard (spec.shape.last ?? 1) % spec.type.blockSize == 0, let bytes = spec.type.byteCount(elements: elements) else {
            throw FormatError.invalidBlockShape(path: path, tensor: spec.name, shape: spec.shape, blockSize: spec.type.blockSize)
        }
        guard bytes <= UInt64(Int64.max) else {
            throw FormatError.invalidShape(path: path, tensor: spec.name, reason: "\(bytes) bytes exceed 2^63-1")
        }
        return bytes
    }

    // MARK: - Private

    private var written: UInt64 = 0

    private func expect(_ s: State, _ got: String) throws {
        guard state == s else { throw FormatError.writerState(expected: state.rawValue, got: got) }
    }

    private func write(_ bytes: [UInt8]) throws {
        try file?.write(bytes)
        written &+= UInt64(bytes.count)
    }

    private func padded(_ n: UInt64) -> UInt64 {
        let a = UInt64(alignment)
        return (n + a - 1) / a * a
    }

    private func writePadding(after n: UInt64) throws {
        let pad = Int(padded(n) - n)
        if pad > 0 { try write([UInt8](repeating: 0, count: pad)) }
    }

    deinit { file?.abandon() }
}
