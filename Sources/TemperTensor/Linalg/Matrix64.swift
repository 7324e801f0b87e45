import CBLAS

/// A dense row-major matrix of Doubles for the statistics that need f64 (Gram matrices,
/// interaction bases): products run through `cblas_dgemm`, eigendecompositions through
/// LAPACK (`SymmetricEigen`). Small by design: no autograd, no broadcasting.
public struct Matrix64: Equatable, Sendable {
    public let rows: Int
    public let cols: Int
    public var values: [Double]

    public init(rows: Int, cols: Int, values: [Double]) throws {
        guard rows >= 0, cols >= 0 else { throw TensorError.invalidShape(op: "Matrix64", shape: [rows, cols], reason: "negative size") }
        let (count, overflow) = rows.multipliedReportingOverflow(by: cols)
        guard !overflow, count == values.count else {
            throw TensorError.countMismatch(op: "Matrix64", expected: overflow ? -1 : count, actual: values.count)
        }
        self.rows = rows
        self.cols = cols
        self.values = values
    }

    public static func zeros(_ rows: Int, _ cols: Int) throws -> Matrix64 {
        let (count, overflow) = max(0, rows).multipliedReportingOverflow(by: max(0, cols))
        guard !overflow else { throw TensorError.invalidShape(op: "Matrix64.zeros", shape: [rows, cols], reason: "too large") }
        return try Matrix64(rows: rows, cols: cols, values: [Double](repeating: 0, count: count))
    }

    public static func identity(_ n: Int) throws -> Matrix64 {
        var m = try zeros(n, n)
        for i in 0..<n { m[i, i] = 1 }
        return m
    }

    /// A diagonal matrix with `diagonal` on it.
    public static func diagonal(_ diagonal: [Double]) throws -> Matrix64 {
        var m = try zeros(diagonal.count, diagonal.count)
        for (i, v) in diagonal.enumerated() { m[i, i] = v }
        return m
    }

    public subscript(row: Int, col: Int) -> Double {
        get { values[row * cols + col] }
        set { values[row * cols + col] = newValue }
    }

    public var transposed: Matrix64 {
        var out = [Double](repeating: 0, count: values.count)
        for r in 0..<rows { for c in 0..<cols { out[c * rows + r] = values[r * cols + c] } }
        // The count matches by construction.
        return Matrix64(unchecked: cols, rows, out)
    }

    /// Columns `indices` in that order.
    public func columns(_ indices: [Int]) throws -> Matrix64 {
        for i in indices where !(0..<cols).contains(i) { throw TensorError.indexOutOfRange(op: "Matrix64.columns", index: i, bound: cols) }
        var out = [Double](repeating: 0, count: rows * indices.count)
        for r in 0..<rows { for (k, c) in indices.enumerated() { out[r * indices.count + k] = values[r * cols + c] } }
        return Matrix64(unchecked: rows, indices.count, out)
    }

    /// Rows `indices` in that order.
    public func rows(_ indices: [Int]) throws -> Matrix64 {
        for i in indices where !(0..<rows).contains(i) { throw TensorError.indexOutOfRange(op: "Matrix64.rows", index: i, bound: rows) }
        var out: [Double] = []
        out.reserveCapacity(indices.count * cols)
        for r in indices { out += values[(r * cols)..<((r + 1) * cols)] }
        return Matrix64(unchecked: indices.count, cols, out)
    }

    /// Each column j multiplied by `scales[j]` (right-multiplication by a diagonal).
    public func scalingColumns(_ scales: [Double]) throws -> Matrix64 {
        guard scales.count == cols else { throw TensorError.shapeMismatch(op: "Matrix64.scalingColumns", lhs: [rows, cols], rhs: [scales.count]) }
        var out = self
        for r in 0..<rows { for c in 0..<cols { out.values[r * cols + c] *= scales[c] } }
        return out
    }

    /// Each row i multiplied by `scales[i]` (left-multiplication by a diagonal).
    public func scalingRows(_ scales: [Double]) throws -> Matrix64 {
        guard scales.count == rows else { throw TensorError.shapeMismatch(op: "Matrix64.scalingRows", lhs: [rows, cols], rhs: [scales.count]) }
        var out = self
        for r in 0..<rows { for c in 0..<cols { out.values[r * cols + c] *= scales[r] } }
        return out
    }

    public var diagonalValues: [Double] { (0..<min(rows, cols)).map { self[$0, $0] } }

    /// op(self) · op(other) with `cblas_dgemm`.
    public func matmul(_ other: Matrix64, transposeSelf: Bool = false, transposeOther: Bool = false) throws -> Matrix64 {
        let (m, k) = transposeSelf ? (cols, rows) : (rows, cols)
        let (k2, n) = transposeOther ? (other.cols, other.rows) : (other.rows, other.cols)
        guard k == k2 else { throw TensorError.shapeMismatch(op: "Matrix64.matmul", lhs: [rows, cols], rhs: [other.rows, other.cols]) }
        var out = try Matrix64.zeros(m, n)
        guard m > 0, n > 0, k > 0 else { return out }
        try Matrix64.checkBLAS(m, n, k, rows, cols, other.rows, other.cols)
        values.withUnsafeBufferPointer { a in
            other.values.withUnsafeBufferPointer { b in
                out.values.withUnsafeMutableBufferPointer { c in
                    cblas_dgemm(CblasRowMajor, transposeSelf ? CblasTrans : CblasNoTrans, transposeOther ? CblasTrans : CblasNoTrans,
                                Int32(m), Int32(n), Int32(k), 1, a.baseAddress, Int32(max(1, cols)),
                                b.baseAddress, Int32(max(1, other.cols)), 0, c.baseAddress, Int32(n))
                }
            }
        }
        return out
    }

    /// self += scale · aᵀ b for row-major f64 panels a [n, p] and b [n, q] (the accumulation of
    /// Gram-like statistics over a batch of n rows), with `cblas_dgemm`.
    public mutating func addProduct(transposing a: [Double], _ b: [Double], count n: Int, scale: Double = 1) throws {
        guard n > 0 else { return }
        guard a.count == n * rows, b.count == n * cols else {
            throw TensorError.countMismatch(op: "Matrix64.addProduct", expected: n * rows, actual: a.count)
        }
        try Matrix64.checkBLAS(rows, cols, n)
        let (p, q) = (rows, cols)
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                values.withUnsafeMutableBufferPointer { c in
                    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(p), Int32(q), Int32(n), scale,
                                ap.baseAddress, Int32(max(1, p)), bp.baseAddress, Int32(max(1, q)), 1, c.baseAddress, Int32(max(1, q)))
                }
            }
        }
    }

    public func scaled(_ s: Double) -> Matrix64 { Matrix64(unchecked: rows, cols, values.map { $0 * s }) }

    public var isFinite: Bool { values.allSatisfy(\.isFinite) }

    /// The largest absolute entry (0 for an empty matrix).
    public var maxAbs: Double { values.reduce(0) { max($0, abs($1)) } }

    init(unchecked rows: Int, _ cols: Int, _ values: [Double]) {
        self.rows = rows
        self.cols = cols
        self.values = values
    }

    static func checkBLAS(_ sizes: Int...) throws {
        for s in sizes where Int32(exactly: s) == nil {
            throw TensorError.invalidShape(op: "Matrix64", shape: sizes, reason: "a dimension exceeds BLAS's 32-bit sizes")
        }
    }
}
