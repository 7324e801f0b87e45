import CBLAS

/// Thin wrapper over `cblas_sgemm` (row-major). Callers validate that every size and
/// leading dimension fits in Int32 (`BLAS.check`).
enum BLAS {
    /// C = alpha·op(A)·op(B) + beta·C with op(A) m×k, op(B) k×n, C m×n.
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                     a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                     beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            for row in 0..<m {
                for col in 0..<n { c[row * ldc + col] = beta == 0 ? 0 : beta * c[row * ldc + col] }
            }
            return
        }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Throws unless every value fits the 32-bit BLAS interface.
    static func check(_ values: Int..., op: String, shape: [Int]) throws {
        for value in values where value > Int(Int32.max) {
            throw TensorError.invalidShape(op: op, shape: shape, reason: "dimension exceeds the 32-bit BLAS interface")
        }
    }

    /// Number of threads OpenBLAS uses for one call.
    static var threads: Int { Int(openblas_get_num_threads()) }

    /// Sets the OpenBLAS thread count (process-wide).
    static func setThreads(_ count: Int) { openblas_set_num_threads(Int32(max(1, count))) }
}

/// Public knobs for the BLAS backend.
public enum TensorBackend {
    /// Threads OpenBLAS uses per call.
    public static var blasThreads: Int { BLAS.threads }
    /// Sets the OpenBLAS thread count for the whole process.
    public static func setBLASThreads(_ count: Int) { BLAS.setThreads(count) }
}
