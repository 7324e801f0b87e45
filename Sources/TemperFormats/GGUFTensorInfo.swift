/// One tensor as a GGUF file describes it, already validated by `GGUFFile`.
public struct GGUFTensorInfo: Sendable, Equatable {
    public let name: String
    /// Dimensions as stored: innermost (fastest-varying) first, ggml's `ne` order.
    public let dimensions: [UInt64]
    public let type: GGMLType
    /// Offset of the data relative to the start of the data section.
    public let offset: UInt64
    public let elementCount: UInt64
    public let byteCount: UInt64
    /// Absolute byte range in the file.
    public let fileRange: Range<UInt64>

    public init(name: String, dimensions: [UInt64], type: GGMLType, offset: UInt64,
                elementCount: UInt64, byteCount: UInt64, fileRange: Range<UInt64>) {
        self.name = name; self.dimensions = dimensions; self.type = type; self.offset = offset
        self.elementCount = elementCount; self.byteCount = byteCount; self.fileRange = fileRange
    }

    /// Shape outermost-first, as numpy and safetensors write it (the reverse of `dimensions`).
    /// The reader guarantees every dimension fits in `Int`.
    public var shape: [Int] { dimensions.reversed().map { Int(truncatingIfNeeded: $0) } }

    /// A `TensorRecord` for the plain element types (F32, F16, BF16, F64, I8–I64); nil for
    /// block-quantized types, which have no safetensors dtype.
    public func tensorRecord(file: String) -> TensorRecord? {
        guard let dtype = type.dtype else { return nil }
        return TensorRecord(name: name, dtype: dtype, shape: shape, fileRange: fileRange, file: file)
    }
}
