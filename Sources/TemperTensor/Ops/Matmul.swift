/// Matrix products through `cblas_sgemm`: transposes are BLAS flags, never copies.
extension Tensor {
    /// op(self)·op(other) over the last two dims. Batch dims must be equal, or one operand
    /// must be a plain matrix (rank 2) shared across the other's batch.
    public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) throws -> Tensor {
        let geometry = try MatmulGeometry(self.shape, other.shape, transposeA: transposeSelf, transposeB: transposeOther)
        let out = Tensor.empty(geometry.outShape)
        geometry.run(a: pointer, b: other.pointer, c: out.pointer)
        return Tensor.record(.matmul(transposeA: transposeSelf, transposeB: transposeOther), out, inputs: [self, other])
    }
}

/// op(a)·op(b); see `Tensor.matmul`.
public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) throws -> Tensor {
    try a.matmul(b, transposeSelf: transposeA, transposeOther: transposeB)
}

/// x·Wᵀ + b with W in PyTorch's [out, in] layout: x [..., in] → [..., out].
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) throws -> Tensor {
    guard x.rank >= 1, weight.rank == 2, x.shape[x.rank - 1] == weight.shape[1] else {
        throw TensorError.shapeMismatch(op: "linear", lhs: x.shape, rhs: weight.shape)
    }
    let (outFeatures, inFeatures) = (weight.shape[0], weight.shape[1])
    if let bias, bias.shape != [outFeatures] {
        throw TensorError.shapeMismatch(op: "linear bias", lhs: weight.shape, rhs: bias.shape)
    }
    let rows = inFeatures == 0 ? x.shape.dropLast().reduce(1, *) : x.count / inFeatures
    try BLAS.check(rows, inFeatures, outFeatures, op: "linear", shape: x.shape)
    let out = Tensor.empty(Array(x.shape.dropLast()) + [outFeatures])
    if let bias {
        for row in 0..<rows { (out.pointer + row * outFeatures).update(from: bias.pointer, count: outFeatures) }
    }
    BLAS.gemm(transA: false, transB: true, m: rows, n: outFeatures, k: inFeatures, alpha: 1,
              a: x.pointer, lda: max(inFeatures, 1), b: weight.pointer, ldb: max(inFeatures, 1),
              beta: bias == nil ? 0 : 1, c: out.pointer, ldc: max(outFeatures, 1))
    let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
    return Tensor.record(.linear, out, inputs: inputs)
}

/// Sizes and strides of one (batched) matrix product.
struct MatmulGeometry {
    let m: Int, n: Int, k: Int
    let transposeA: Bool, transposeB: Bool
    let lda: Int, ldb: Int
    let batch: Int
    let sharedA: Bool, sharedB: Bool
    let outShape: [Int]

    init(_ a: [Int], _ b: [Int], transposeA: Bool, transposeB: Bool) throws {
        guard a.count >= 2, b.count >= 2 else { throw TensorError.shapeMismatch(op: "matmul (rank < 2)", lhs: a, rhs: b) }
        let (ra, ca) = (a[a.count - 2], a[a.count - 1])
        let (rb, cb) = (b[b.count - 2], b[b.count - 1])
        let (m, kA) = transposeA ? (ca, ra) : (ra, ca)
        let (kB, n) = transposeB ? (cb, rb) : (rb, cb)
        guard kA == kB else { throw TensorError.shapeMismatch(op: "matmul", lhs: a, rhs: b) }
        let batchA = Array(a.dropLast(2)), batchB = Array(b.dropLast(2))
        let batchShape: [Int]
        if batchB.isEmpty || batchA == batchB {
            batchShape = batchA
        } else if batchA.isEmpty {
            batchShape = batchB
        } else {
            throw TensorError.shapeMismatch(op: "matmul (batch dims)", lhs: a, rhs: b)
        }
        self.m = m; self.n = n; self.k = kA
        self.transposeA = transposeA; self.transposeB = transposeB
        self.lda = max(ca, 1); self.ldb = max(cb, 1)
        self.batch = batchShape.reduce(1, *)
        self.sharedA = batchA.isEmpty && !batchB.isEmpty
        self.sharedB = batchB.isEmpty && !batchA.isEmpty
        self.outShape = batchShape + [m, n]
        try BLAS.check(m * max(batch, 1), n, kA, ra, ca, rb, cb, op: "matmul", shape: a)
    }

    /// C = op(A)·op(B) (beta = 0) or C += … (beta = 1), for every batch.
    func run(a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, beta: Float = 0) {
        if sharedB && !transposeA {
            // One tall product: the batch folds into A's rows.
            BLAS.gemm(transA: false, transB: transposeB, m: batch * m, n: n, k: k, alpha: 1,
                      a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: max(n, 1))
            return
        }
        if batch == 1 {
            BLAS.gemm(transA: transposeA, transB: transposeB, m: m, n: n, k: k, alpha: 1,
                      a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: max(n, 1))
            return
        }
        // Independent products: one single-threaded call per batch entry, spread over cores.
        Parallel.rows(batch, rowCost: m * n * k / 64) { range in
            for i in range {
                BLAS.serial(transA: transposeA, transB: transposeB, m: m, n: n, k: k, alpha: 1,
                            a: a + (sharedA ? 0 : i * m * k), lda: lda, b: b + (sharedB ? 0 : i * k * n), ldb: ldb,
                            beta: beta, c: c + i * m * n, ldc: max(n, 1))
            }
        }
    }
}
