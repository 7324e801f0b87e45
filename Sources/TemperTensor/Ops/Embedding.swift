/// Embedding lookup: rows of `weight` [vocab, dim] gathered by token ids.
/// The backward rule scatter-adds the output gradient into the rows that were read.
public func embedding(_ weight: Tensor, ids: [Int], shape: [Int]) throws -> Tensor {
    guard weight.rank == 2 else { throw TensorError.invalidShape(op: "embedding weight", shape: weight.shape, reason: "expected [vocab, dim]") }
    guard try Shape.checkedCount(shape, op: "embedding ids") == ids.count else {
        throw TensorError.countMismatch(op: "embedding ids \(shape)", expected: Shape.count(shape), actual: ids.count)
    }
    let vocab = weight.shape[0]
    for id in ids where id < 0 || id >= vocab {
        throw TensorError.indexOutOfRange(op: "embedding (token id)", index: id, bound: vocab)
    }
    let rows = CopyKernels.gather(weight, axis: 0, indices: ids)
    let out = Tensor(storage: rows.storage, shape: shape + [weight.shape[1]])
    return Tensor.record(.embedding(ids: ids), out, inputs: [weight])
}
