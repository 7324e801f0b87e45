/// Pairwise squared Euclidean distances, the building block of kernel two-sample tests
/// (MMD with Gaussian kernels: `exp(-distances / bandwidth)`).
public func squaredDistances(_ x: Tensor, _ y: Tensor) throws -> Tensor {
    guard x.rank == 2, y.rank == 2, x.shape[1] == y.shape[1] else {
        throw TensorError.shapeMismatch(op: "squaredDistances ([n, d] and [m, d])", lhs: x.shape, rhs: y.shape)
    }
    let (n, m, d) = (x.shape[0], y.shape[0], x.shape[1])
    try BLAS.check(n, m, d, op: "squaredDistances", shape: x.shape)
    let out = Tensor.empty([n, m])
    // ‖x‖² + ‖y‖² − 2·x·yᵀ, clamped at 0 against rounding.
    BLAS.gemm(transA: false, transB: true, m: n, n: m, k: d, alpha: -2, a: x.pointer, lda: max(d, 1),
              b: y.pointer, ldb: max(d, 1), beta: 0, c: out.pointer, ldc: max(m, 1))
    let yy = (0..<m).map { ReduceKernels.dot(y.pointer + $0 * d, y.pointer + $0 * d, d) }
    for i in 0..<n {
        let xx = ReduceKernels.dot(x.pointer + i * d, x.pointer + i * d, d)
        let row = out.pointer + i * m
        for j in 0..<m { row[j] = max(0, row[j] + xx + yy[j]) }
    }
    return Tensor.record(.squaredDistances, out, inputs: [x, y])
}
