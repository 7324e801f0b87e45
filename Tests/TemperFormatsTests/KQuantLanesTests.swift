import CTemperKernels
import Foundation
import Testing
@testable import TemperFormats

/// The lane kernels of the k-quant searches (CTemperKernels `temper_kquant.h`: portable,
/// AVX2, AVX-512F) against the Swift scalar searches of KQuantSearch.swift, bit for bit, on
/// inputs whose sub-blocks mix normal values, outliers, constants, zeros, tiny magnitudes,
/// one-signed data and NaN / ±infinity (so the lanes of one vector take different branches).
@Suite struct KQuantLanesTests {
    /// The paths this CPU can run (the portable C path always).
    static let paths: [Int32] = (0...temper_kquant_best_simd()).map { Int32($0) }

    static func input(superBlocks: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix(seed: seed)
        func uniform() -> Float { Float(rng.next() >> 40) / Float(1 << 24) }
        func normal() -> Float {
            let u = max(uniform(), 1e-7), v = uniform()
            return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
        }
        var x = [Float]()
        x.reserveCapacity(256 * superBlocks)
        for _ in 0..<(16 * superBlocks) {
            let kind = rng.next() % 11
            let magnitude = Float(pow(10, Double(uniform()) * 5 - 3))
            let c = (uniform() - 0.5) * magnitude
            for l in 0..<16 {
                switch kind {
                case 0: x.append(0)
                case 1: x.append(c)                                   // all equal (either sign)
                case 2: x.append(normal() * 1e-17)                    // below GROUP_MAX_EPS
                case 3: x.append(normal() * 1e-12)
                case 4: x.append(abs(normal()) * magnitude + magnitude)  // min > 0
                case 5: x.append(-abs(normal()) * magnitude)          // all ≤ 0
                case 6: x.append(Float(Int(rng.next() % 5)) - 2)      // few distinct values
                case 7: x.append(normal() * magnitude * (l == Int(rng.next() % 16) ? 100 : 1))  // outliers
                case 8: x.append(l == 5 ? [Float.nan, .infinity, -.infinity][Int(rng.next() % 3)] : normal())  // non-finite
                default: x.append(normal() * magnitude)
                }
            }
        }
        return x
    }

    static func quantize(_ x: [Float], _ type: GGMLType, simd: Int32) -> [UInt8] {
        let count = x.count / 256
        var out = [UInt8](repeating: 0xAA, count: count * type.typeSize)
        x.withUnsafeBufferPointer { xp in
            out.withUnsafeMutableBytes { op in
                let s = xp.baseAddress!, d = op.baseAddress!
                switch type {
                case .q2_K: Q2Q3KQuants.q2_KBlocks(s, d, count, simd: simd)
                case .q3_K: Q2Q3KQuants.q3_KBlocks(s, d, count, simd: simd)
                case .q4_K: Q4Q5Q6KQuants.q4_KBlocks(s, d, count, simd: simd)
                case .q5_K: Q4Q5Q6KQuants.q5_KBlocks(s, d, count, simd: simd)
                default: Q4Q5Q6KQuants.q6_KBlocks(s, d, count, simd: simd)
                }
            }
        }
        return out
    }

    @Test(arguments: [GGMLType.q2_K, .q3_K, .q4_K, .q5_K, .q6_K])
    func superBlocksMatchTheSwiftPath(_ type: GGMLType) {
        let x = Self.input(superBlocks: 37, seed: 19)
        let scalar = Self.quantize(x, type, simd: KQuantSearch.scalar)
        for simd in Self.paths {
            let lanes = Self.quantize(x, type, simd: simd)
            let size = type.typeSize
            let bad = (0..<37).filter { b in lanes[b * size..<(b + 1) * size] != scalar[b * size..<(b + 1) * size] }
            #expect(bad.isEmpty, "\(type) path \(simd): super-blocks \(bad.prefix(8)) differ from the Swift path")
        }
    }

    @Test(arguments: [(32, Int32(15), Float(-1), 20, Int32(0), false), (32, 31, -0.5, 15, 0, false), (16, 3, -0.5, 15, 1, true)])
    func qkx2SearchMatchesTheSwiftSearch(_ n: Int, _ nmax: Int32, _ rmin: Float, _ nstep: Int, _ kind: Int32, _ mad: Bool) {
        let x = Self.input(superBlocks: 23, seed: 7)
        let count = x.count / n - 3                               // not a multiple of the lane count
        var wantL = [UInt8](repeating: 0, count: count * n), wantS = [Float](repeating: 0, count: count)
        var wantM = wantS, weights = [Float](repeating: 0, count: n), aux = [UInt8](repeating: 0, count: n)
        x.withUnsafeBufferPointer { xp in
            for j in 0..<count {
                let xs = xp.baseAddress! + n * j
                var sumX2: Float = 0
                for l in 0..<n { sumX2 += xs[l] * xs[l] }
                let avX = (sumX2 / Float(n)).squareRoot()
                for l in 0..<n { weights[l] = kind == 0 ? avX + abs(xs[l]) : abs(xs[l]) }
                let r = wantL.withUnsafeMutableBufferPointer { L in
                    KQuantSearch.makeQKX2Quants(n, nmax, xs, weights, L.baseAddress! + n * j, &aux, rmin: rmin, rdelta: 0.1, nstep: nstep, useMad: mad)
                }
                wantS[j] = r.scale; wantM[j] = r.theMin
            }
        }
        for simd in Self.paths {
            var L = [UInt8](repeating: 0xAA, count: count * n), s = [Float](repeating: .nan, count: count), m = s
            temper_kquant_qkx2(x, count, Int32(n), nmax, rmin, 0.1, Int32(nstep), kind, mad ? 1 : 0, &L, &s, &m, simd)
            let bad = (0..<count).filter {
                s[$0].bitPattern != wantS[$0].bitPattern || m[$0].bitPattern != wantM[$0].bitPattern || L[n * $0..<n * ($0 + 1)] != wantL[n * $0..<n * ($0 + 1)]
            }
            #expect(bad.isEmpty, "n \(n) nmax \(nmax) path \(simd): sub-blocks \(bad.prefix(8)) differ")
        }
    }

    @Test func qxSearchMatchesTheSwiftSearch() {
        let x = Self.input(superBlocks: 23, seed: 11)
        let count = x.count / 16 - 5
        var wantL = [Int8](repeating: 0, count: count * 16), wantS = [Float](repeating: 0, count: count)
        x.withUnsafeBufferPointer { xp in
            wantL.withUnsafeMutableBufferPointer { L in
                for j in 0..<count { wantS[j] = KQuantSearch.makeQXQuants(16, 32, xp.baseAddress! + 16 * j, L.baseAddress! + 16 * j) }
            }
        }
        for simd in Self.paths {
            var L = [Int8](repeating: 0x55, count: count * 16), s = [Float](repeating: .nan, count: count)
            temper_kquant_qx(x, count, 16, 32, &L, &s, simd)
            let bad = (0..<count).filter { s[$0].bitPattern != wantS[$0].bitPattern || L[16 * $0..<16 * ($0 + 1)] != wantL[16 * $0..<16 * ($0 + 1)] }
            #expect(bad.isEmpty, "path \(simd): sub-blocks \(bad.prefix(8)) differ")
        }
    }

    @Test func q3SearchMatchesTheSwiftSearch() {
        let x = Self.input(superBlocks: 23, seed: 13)
        let count = x.count / 16 - 7
        var wantL = [Int8](repeating: 0, count: count * 16), wantS = [Float](repeating: 0, count: count)
        x.withUnsafeBufferPointer { xp in
            wantL.withUnsafeMutableBufferPointer { L in
                for j in 0..<count { wantS[j] = KQuantSearch.makeQ3Quants(16, 4, xp.baseAddress! + 16 * j, L.baseAddress! + 16 * j) }
            }
        }
        for simd in Self.paths {
            var L = [Int8](repeating: 0x55, count: count * 16), s = [Float](repeating: .nan, count: count)
            temper_kquant_q3(x, count, 16, 4, &L, &s, simd)
            let bad = (0..<count).filter { s[$0].bitPattern != wantS[$0].bitPattern || L[16 * $0..<16 * ($0 + 1)] != wantL[16 * $0..<16 * ($0 + 1)] }
            #expect(bad.isEmpty, "path \(simd): sub-blocks \(bad.prefix(8)) differ")
        }
    }
}
