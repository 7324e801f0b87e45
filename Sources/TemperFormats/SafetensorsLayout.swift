/// A tensor to be written: its bytes (supplied later) must number product(shape) × dtype size.
public struct TensorSpec: Sendable, Equatable {
    public var name: String
    public var dtype: DType
    public var shape: [Int]
    public init(name: String, dtype: DType, shape: [Int]) { self.name = name; self.dtype = dtype; self.shape = shape }
    public init(_ record: TensorRecord) { self.init(name: record.name, dtype: record.dtype, shape: record.shape) }

    /// product(shape) × dtype size, overflow-checked; `path` names the output in errors.
    public func byteCount(path: String = "") throws(FormatError) -> UInt64 {
        var bytes = UInt64(dtype.size)
        for dim in shape {
            guard dim >= 0 else { throw .invalidShape(path: path, tensor: name, reason: "dimension \(dim) is negative") }
            let (product, overflow) = bytes.multipliedReportingOverflow(by: UInt64(dim))
            guard !overflow else { throw .invalidShape(path: path, tensor: name, reason: "byte size of \(shape) \(dtype.rawValue) overflows 64 bits") }
            bytes = product
        }
        return bytes
    }
}

/// How a writer orders tensors in the file.
public enum TensorOrder: Sendable, Equatable {
    /// As the reference `safetensors` serializer: dtype rank descending (U64, I64, F64, C64,
    /// F32, U32, I32, BF16, F16, U16, I16, F8…, I8, U8, BOOL), then name by UTF-8 bytes.
    case reference
    /// The order the caller gave.
    case asGiven
}

/// Where every tensor of a safetensors file goes, and the exact header bytes.
public struct SafetensorsLayout: Sendable {
    /// Tensors in file order.
    public let tensors: [TensorSpec]
    /// Each tensor's `data_offsets`, relative to the data buffer.
    public let ranges: [Range<UInt64>]
    /// The N header bytes: JSON padded with spaces to a multiple of 8.
    public let header: [UInt8]
    public var headerLength: UInt64 { UInt64(header.count) }
    public var dataSize: UInt64 { ranges.last?.upperBound ?? 0 }
    public var fileSize: UInt64 { 8 + headerLength + dataSize }

    /// Position of a dtype in the reference crate's `Dtype` enum (declaration order).
    public static func referenceRank(_ dtype: DType) -> Int {
        switch dtype {
        case .bool: return 0
        case .u8: return 4
        case .i8: return 5
        case .f8e5m2: return 6
        case .f8e4m3: return 7
        case .f8e8m0: return 8
        case .i16: return 11
        case .u16: return 12
        case .f16: return 13
        case .bf16: return 14
        case .i32: return 15
        case .u32: return 16
        case .f32: return 17
        case .c64: return 18
        case .f64: return 19
        case .i64: return 20
        case .u64: return 21
        }
    }

    /// Sorts like the reference `prepare`: dtype rank descending, then name (byte order).
    public static func referenceSorted(_ specs: [TensorSpec]) -> [TensorSpec] {
        specs.sorted { a, b in
            let ra = referenceRank(a.dtype), rb = referenceRank(b.dtype)
            if ra != rb { return ra > rb }
            return a.name.utf8.lexicographicallyPrecedes(b.name.utf8)
        }
    }

    /// Plans a new file. `metadata == nil` writes no `__metadata__`; `[]` writes an empty one.
    public init(tensors specs: [TensorSpec], metadata: [(key: String, value: String)]?, order: TensorOrder, path: String = "") throws(FormatError) {
        var names = Set<String>()
        for spec in specs {
            guard spec.name != SafetensorsHeader.metadataKey else {
                throw .invalidHeader(path: path, reason: "a tensor cannot be named \(SafetensorsHeader.metadataKey)")
            }
            guard names.insert(spec.name).inserted else { throw .duplicateTensor(path: path, tensor: spec.name) }
        }
        if let metadata {
            var keys = Set<String>()
            for entry in metadata where !keys.insert(entry.key).inserted {
                throw .invalidMetadata(path: path, reason: "key '\(entry.key)' appears twice")
            }
        }
        let ordered = order == .reference ? Self.referenceSorted(specs) : specs
        var ranges: [Range<UInt64>] = []
        ranges.reserveCapacity(ordered.count)
        var offset: UInt64 = 0
        for spec in ordered {
            let (end, overflow) = offset.addingReportingOverflow(try spec.byteCount(path: path))
            guard !overflow else { throw .invalidShape(path: path, tensor: spec.name, reason: "file size overflows 64 bits") }
            ranges.append(offset..<end)
            offset = end
        }
        let header = Self.encodeHeader(tensors: ordered, ranges: ranges, metadata: metadata)
        guard UInt64(header.count) <= SafetensorsHeader.maxLength else {
            throw .headerTooLarge(path: path, length: UInt64(header.count), limit: SafetensorsHeader.maxLength)
        }
        self.tensors = ordered
        self.ranges = ranges
        self.header = header
    }

    /// The layout of an existing file, keeping its raw header bytes; tensors in offset order.
    public init(preserving file: SafetensorsFile) {
        let records = file.tensors.sorted { ($0.fileRange.lowerBound, $0.fileRange.upperBound) < ($1.fileRange.lowerBound, $1.fileRange.upperBound) }
        tensors = records.map(TensorSpec.init)
        ranges = records.map { ($0.fileRange.lowerBound - file.dataStart)..<($0.fileRange.upperBound - file.dataStart) }
        header = [UInt8](file.rawHeader)
    }

    /// serde_json compact text of the header as the reference writes it (`__metadata__`
    /// first, then tensors with keys dtype, shape, data_offsets), padded to a multiple of 8.
    public static func encodeHeader(tensors: [TensorSpec], ranges: [Range<UInt64>], metadata: [(key: String, value: String)]?) -> [UInt8] {
        var members: [OrderedJSON.Member] = []
        members.reserveCapacity(tensors.count + 1)
        if let metadata {
            members.append(.init(key: SafetensorsHeader.metadataKey,
                                 value: .object(metadata.map { .init(key: $0.key, value: .string($0.value)) })))
        }
        for (spec, range) in zip(tensors, ranges) {
            members.append(.init(key: spec.name, value: .object([
                .init(key: "dtype", value: .string(spec.dtype.rawValue)),
                .init(key: "shape", value: .array(spec.shape.map { .number(String($0)) })),
                .init(key: "data_offsets", value: .array([.number(String(range.lowerBound)), .number(String(range.upperBound))])),
            ])))
        }
        var bytes = OrderedJSON.object(members).serialized(style: .serdeCompact)
        let padded = (bytes.count + 7) / 8 * 8
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: padded - bytes.count))
        return bytes
    }
}
