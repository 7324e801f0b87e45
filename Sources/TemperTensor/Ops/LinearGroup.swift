import CTemperKernels

/// x·Wᵢᵀ (+ bᵢ) for several weights applied to the same x (a block's q/k/v, its gate/up):
/// the same outputs, bit for bit, and the same autograd records as one `linear` call each.
/// When x has at most `BLAS.matVecRows` rows (decoding) the matrix-vector products run as one
/// parallel region over the rows of all weights together instead of one region per weight:
/// decoding a token is a few hundred such regions, each a wake-up of the workers and a wait
/// for the slowest piece.
public func linear(_ x: Tensor, weights: [Tensor], biases: [Tensor?]) throws -> [Tensor] {
    guard biases.count == weights.count else {
        throw TensorError.countMismatch(op: "linear(weights:biases:)", expected: weights.count, actual: biases.count)
    }
    let k = x.rank >= 1 ? x.shape[x.rank - 1] : 0
    let rows = k == 0 ? 0 : x.count / k
    guard rows >= 1, rows <= BLAS.matVecRows, weights.count > 1 else {
        return try zip(weights, biases).map { try linear(x, weight: $0, bias: $1) }
    }
    var outputs: [Tensor] = []
    var parts: [BLAS.MatVecPart] = []
    for (weight, bias) in zip(weights, biases) {
        guard weight.rank == 2, weight.shape[1] == k else { throw TensorError.shapeMismatch(op: "linear", lhs: x.shape, rhs: weight.shape) }
        let n = weight.shape[0]
        if let bias, bias.shape != [n] { throw TensorError.shapeMismatch(op: "linear bias", lhs: weight.shape, rhs: bias.shape) }
        try BLAS.check(rows, k, n, op: "linear", shape: x.shape)
        let out = Tensor.empty(Array(x.shape.dropLast()) + [n])
        if let bias {
            for row in 0..<rows { (out.pointer + row * n).update(from: bias.pointer, count: n) }
        }
        parts.append(BLAS.MatVecPart(w: UnsafePointer(weight.pointer), n: n, y: out.pointer, accumulate: bias != nil))
        outputs.append(out)
    }
    BLAS.matVec(m: rows, k: k, x: x.pointer, ldx: k, parts: parts)
    return zip(outputs, zip(weights, biases)).map { out, wb in
        Tensor.record(.linear, out, inputs: wb.1.map { [x, wb.0, $0] } ?? [x, wb.0])
    }
}
