/// One tensor as a weight file describes it: the bytes live in `fileRange` of `file`.
/// Readers produce records in file order; writers consume them in the order given.
public struct TensorRecord: Sendable, Equatable {
    public var name: String
    public var dtype: DType
    public var shape: [Int]
    /// Absolute byte range in the file (begin inclusive, end exclusive).
    public var fileRange: Range<UInt64>
    /// Name of the file holding the tensor, relative to the checkpoint folder (shards).
    public var file: String

    public init(name: String, dtype: DType, shape: [Int], fileRange: Range<UInt64>, file: String) {
        self.name = name; self.dtype = dtype; self.shape = shape; self.fileRange = fileRange; self.file = file
    }

    /// Readers refuse shapes whose dimensions overflow (`CheckedMath.elementCount`); a record
    /// built by hand with such a shape reports Int.max rather than trapping.
    public var elementCount: Int { CheckedMath.elementCount(shape) ?? Int.max }
    public var byteCount: UInt64 { fileRange.upperBound - fileRange.lowerBound }
}
