import Testing
@testable import TemperTensor

/// dsyevd through OpenBLAS against spectra known in closed form.
@Suite struct SymmetricEigenTests {
    /// A random orthogonal matrix: Gram–Schmidt on a fixed pseudo-random matrix.
    static func orthogonal(_ n: Int, seed: UInt64) throws -> Matrix64 {
        var state = seed
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53) - 0.5
        }
        var q = try Matrix64.zeros(n, n)
        for j in 0..<n {
            var v = (0..<n).map { _ in next() }
            for k in 0..<j {
                let dot = (0..<n).reduce(0) { $0 + v[$1] * q[$1, k] }
                for i in 0..<n { v[i] -= dot * q[i, k] }
            }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for i in 0..<n { q[i, j] = v[i] / norm }
        }
        return q
    }

    static func rotated(_ spectrum: [Double], seed: UInt64) throws -> (Matrix64, Matrix64) {
        let q = try orthogonal(spectrum.count, seed: seed)
        return (try q.scalingColumns(spectrum).matmul(q, transposeOther: true), q)
    }

    /// ‖A v − λ v‖ for every pair, and ‖VᵀV − I‖.
    static func residuals(_ a: Matrix64, _ e: SymmetricEigen) throws -> (Double, Double) {
        let av = try a.matmul(e.vectors), lv = try e.vectors.scalingColumns(e.values)
        let fit = zip(av.values, lv.values).reduce(0) { max($0, abs($1.0 - $1.1)) }
        let gram = try e.vectors.matmul(e.vectors, transposeSelf: true)
        let orth = try zip(gram.values, Matrix64.identity(a.rows).values).reduce(0) { max($0, abs($1.0 - $1.1)) }
        return (fit, orth)
    }

    @Test func diagonalMatrixGivesItsEntriesSortedDescending() throws {
        let e = try SymmetricEigen(try .diagonal([2, -1, 5, 0.5]))
        #expect(e.values == [5, 2, 0.5, -1])
        #expect(abs(abs(e.vectors[2, 0]) - 1) < 1e-15)
        #expect(abs(abs(e.vectors[1, 3]) - 1) < 1e-15)
    }

    @Test func rotatedSpectrumIsRecovered() throws {
        let spectrum = [9.0, 4, 1, 0.25, 1e-3, 1e-6]
        let (a, q) = try Self.rotated(spectrum, seed: 7)
        let e = try SymmetricEigen(a)
        for (x, y) in zip(e.values, spectrum) { #expect(abs(x - y) < 1e-12) }
        let (fit, orth) = try Self.residuals(a, e)
        #expect(fit < 1e-12 && orth < 1e-12)
        // Distinct eigenvalues: each eigenvector is ± the rotation's column.
        for j in 0..<spectrum.count {
            let dot = (0..<spectrum.count).reduce(0) { $0 + e.vectors[$1, j] * q[$1, j] }
            #expect(abs(abs(dot) - 1) < 1e-9)
        }
    }

    @Test func repeatedEigenvaluesSpanTheRightSubspace() throws {
        let spectrum = [3.0, 3, 3, 1, 1, 0.5]
        let (a, q) = try Self.rotated(spectrum, seed: 11)
        let e = try SymmetricEigen(a)
        for (x, y) in zip(e.values, spectrum) { #expect(abs(x - y) < 1e-12) }
        let (fit, orth) = try Self.residuals(a, e)
        #expect(fit < 1e-12 && orth < 1e-12)
        // The projector onto the λ = 3 eigenspace is basis-independent.
        let mine = try e.vectors.columns([0, 1, 2]), theirs = try q.columns([0, 1, 2])
        let p1 = try mine.matmul(mine, transposeOther: true), p2 = try theirs.matmul(theirs, transposeOther: true)
        #expect(zip(p1.values, p2.values).allSatisfy { abs($0 - $1) < 1e-10 })
    }

    @Test func rankDeficientMatrixHasExactZeros() throws {
        // A = X Xᵀ with X 5 × 2: rank 2, three zero eigenvalues.
        let x = try Matrix64(rows: 5, cols: 2, values: [1, 0, 2, 1, 0, 3, -1, 1, 4, -2])
        let a = try x.matmul(x, transposeOther: true)
        let e = try SymmetricEigen(a)
        let xtx = try SymmetricEigen(try x.matmul(x, transposeSelf: true))
        #expect(abs(e.values[0] - xtx.values[0]) < 1e-12 && abs(e.values[1] - xtx.values[1]) < 1e-12)
        #expect(e.values[2...].allSatisfy { abs($0) < 1e-13 })
        let (fit, orth) = try Self.residuals(a, e)
        #expect(fit < 1e-12 && orth < 1e-12)
        let absolute = try SymmetricEigen(try .diagonal([-4, 1, 2]), absoluteValues: true)
        #expect(absolute.values == [4, 2, 1])
    }

    @Test func badInputIsAnError() throws {
        #expect(throws: TensorError.self) { try SymmetricEigen(try .zeros(2, 3)) }
        #expect(throws: TensorError.self) { try SymmetricEigen(try Matrix64(rows: 1, cols: 1, values: [.nan])) }
        #expect(try SymmetricEigen(try .zeros(0, 0)).values.isEmpty)
    }

    @Test func productsMatchTheDefinition() throws {
        let a = try Matrix64(rows: 2, cols: 3, values: [1, 2, 3, 4, 5, 6])
        #expect(try a.matmul(a, transposeOther: true).values == [14, 32, 32, 77])
        #expect(try a.matmul(a, transposeSelf: true).values == [17, 22, 27, 22, 29, 36, 27, 36, 45])
        var g = try Matrix64.zeros(3, 3)
        try g.addProduct(transposing: a.values, a.values, count: 2, scale: 0.5)
        #expect(g.values == [8.5, 11, 13.5, 11, 14.5, 18, 13.5, 18, 22.5])
        #expect(a.transposed.values == [1, 4, 2, 5, 3, 6])
    }
}
