import CBLAS

/// Eigendecomposition of a real symmetric matrix in f64 with LAPACK's `dsyevd` (divide and
/// conquer, as `torch.linalg.eigh` uses). Eigenvalues come sorted from largest to smallest
/// and the eigenvectors are the matching columns, as in rib's `linalg.eigendecompose`
/// (which also takes the absolute value of the eigenvalues; `absoluteValues` does that).
public struct SymmetricEigen: Sendable {
    public let values: [Double]
    /// Columns are unit eigenvectors: vectors[:, i] belongs to values[i].
    public let vectors: Matrix64

    public init(_ matrix: Matrix64, absoluteValues: Bool = false) throws {
        let n = matrix.rows
        guard matrix.cols == n else {
            throw TensorError.invalidShape(op: "SymmetricEigen", shape: [matrix.rows, matrix.cols], reason: "not square")
        }
        guard matrix.isFinite else { throw TensorError.invalidArgument(op: "SymmetricEigen", reason: "the matrix has non-finite entries") }
        guard n > 0 else {
            values = []
            vectors = matrix
            return
        }
        guard let n32 = Int32(exactly: n) else {
            throw TensorError.invalidShape(op: "SymmetricEigen", shape: [n, n], reason: "exceeds LAPACK's 32-bit sizes")
        }
        // Symmetrize first: accumulated statistics are symmetric only up to rounding, and
        // LAPACK reads one triangle. Row-major A is column-major Aᵀ = A.
        var a = matrix.values
        for i in 0..<n { for j in (i + 1)..<n {
            let mean = 0.5 * (a[i * n + j] + a[j * n + i])
            a[i * n + j] = mean
            a[j * n + i] = mean
        } }
        var w = [Double](repeating: 0, count: n)
        var (jobz, uplo) = (CChar(UInt8(ascii: "V")), CChar(UInt8(ascii: "L")))
        var (nn, lda, info) = (n32, n32, Int32(0))
        // Workspace query, then the solve.
        var workSize = 0.0, iworkSize = Int32(0)
        var (lwork, liwork) = (Int32(-1), Int32(-1))
        dsyevd_(&jobz, &uplo, &nn, &a, &lda, &w, &workSize, &lwork, &iworkSize, &liwork, &info)
        guard info == 0, let lw = Int32(exactly: workSize.rounded(.up)) else {
            throw TensorError.invalidArgument(op: "dsyevd", reason: "workspace query failed (info \(info))")
        }
        lwork = lw
        liwork = iworkSize
        var work = [Double](repeating: 0, count: Int(lwork))
        var iwork = [Int32](repeating: 0, count: Int(liwork))
        dsyevd_(&jobz, &uplo, &nn, &a, &lda, &w, &work, &lwork, &iwork, &liwork, &info)
        guard info == 0 else { throw TensorError.invalidArgument(op: "dsyevd", reason: "did not converge (info \(info))") }
        // Column-major eigenvectors: a[j * n + i] is component i of eigenvector j.
        let sortKey = absoluteValues ? w.map(abs) : w
        let order = (0..<n).sorted { sortKey[$0] > sortKey[$1] || (sortKey[$0] == sortKey[$1] && $0 < $1) }
        var vecs = [Double](repeating: 0, count: n * n)
        for (k, j) in order.enumerated() { for i in 0..<n { vecs[i * n + k] = a[j * n + i] } }
        values = order.map { sortKey[$0] }
        vectors = Matrix64(unchecked: n, n, vecs)
    }
}
