/// A sequence that grows along axis 1 of [1, length, rest...] without copying what it holds
/// (a KV cache while decoding): `append` writes the new positions after the old ones in a
/// buffer with spare capacity (doubled when full) and returns the whole sequence so far as a
/// tensor sharing that buffer. Positions once written are never written again, so tensors
/// returned earlier keep their values (after a growth they keep the old buffer alive).
/// Batch 1 only: with more rows the positions of a row would not be contiguous.
public final class SequenceBuffer {
    /// Shape of one position (e.g. [kvHeads, headDim]).
    public let positionShape: [Int]
    /// Positions held.
    public private(set) var length = 0
    private let positionSize: Int
    private var storage: TensorStorage?

    public init(positionShape: [Int]) throws {
        self.positionShape = positionShape
        positionSize = try Shape.checkedCount(positionShape, op: "SequenceBuffer")
    }

    private var capacity: Int { (storage?.count ?? 0) / Swift.max(positionSize, 1) }

    /// Appends x [1, n, positionShape...]; returns [1, length, positionShape...] (no graph recorded).
    public func append(_ x: Tensor) throws -> Tensor {
        guard x.rank == positionShape.count + 2, x.shape[0] == 1, Array(x.shape.dropFirst(2)) == positionShape else {
            throw TensorError.shapeMismatch(op: "SequenceBuffer.append", lhs: [1, length] + positionShape, rhs: x.shape)
        }
        let n = x.shape[1], total = length + n
        if positionSize == 0 {
            length = total
            return try Tensor(shape: [1, total] + positionShape, values: [])
        }
        if total > capacity {
            let grown = TensorStorage(uninitializedCount: Swift.max(total, 2 * capacity, 16) * positionSize)
            if let storage, length > 0 { grown.pointer.update(from: storage.pointer, count: length * positionSize) }
            storage = grown
        }
        guard let storage else { return x }  // unreachable: allocated above
        (storage.pointer + length * positionSize).update(from: x.pointer, count: n * positionSize)
        length = total
        return Tensor(storage: TensorStorage(prefix: total * positionSize, of: storage), shape: [1, total] + positionShape)
    }

    /// Forgets every position (tensors returned before keep theirs).
    public func reset() {
        length = 0
        storage = nil
    }
}
