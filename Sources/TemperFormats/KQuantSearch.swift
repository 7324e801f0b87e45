import CTemperKernels
import Foundation

/// The scale searches ggml's k-quants share (`ggml-quants.c`: `nearest_int`, `make_qx_quants`,
/// `make_q3_quants`, `make_qkx2_quants`), written operation by operation in f32 in the
/// reference's evaluation order, so the chosen scales and levels are bit-identical.
/// Only the branches the importance-matrix-free reference path takes are written out.
enum KQuantSearch {
    /// `simd` value that runs the Swift scalar searches below.
    static let scalar: Int32 = -1
    /// The search path the quantizers take: the lane kernels of CTemperKernels
    /// (`temper_kquant.h`: 1 AVX2, 2 AVX-512F; same bits) where the CPU has AVX2, else the
    /// Swift scalar code. `TEMPER_KQUANT=scalar` forces the Swift code (for A/B timing).
    static let simd: Int32 = {
        if ProcessInfo.processInfo.environment["TEMPER_KQUANT"] == "scalar" { return scalar }
        let best = temper_kquant_best_simd()
        return best >= 1 ? best : scalar
    }()

    /// ggml `GROUP_MAX_EPS`: a group whose largest magnitude is below it counts as all zero.
    static let groupMaxEps: Float = 1e-15

    /// ggml `nearest_int`: round half to even through the mantissa of v + 1.5·2^23
    /// (valid for |v| ≤ 2^22; NaN gives 0 as in C).
    @inline(__always) static func nearestInt(_ v: Float) -> Int32 {
        let shifted = v + 12_582_912
        return Int32(bitPattern: shifted.bitPattern & 0x007f_ffff) &- 0x0040_0000
    }

    @inline(__always) static func clamp(_ v: Int32, _ lo: Int32, _ hi: Int32) -> Int32 { max(lo, min(hi, v)) }

    /// ggml `GGML_FP32_TO_FP16` (the portable `ggml_compute_fp32_to_fp16`): round to nearest
    /// even; every NaN becomes 0x7E00 with the sign kept.
    @inline(__always) static func half(_ x: Float) -> UInt16 {
        if x.isNaN { return UInt16(truncatingIfNeeded: (x.bitPattern & 0x8000_0000) >> 16) | 0x7e00 }
        return Float16(x).bitPattern
    }

    @inline(__always) static func halfToFloat(_ bits: UInt16) -> Float { Float(Float16(bitPattern: bits)) }

    /// `make_qx_quants(n, nmax, x, L, rmse_type = 1, qw = NULL)`: symmetric levels in
    /// [0, 2·nmax), weights x², 18 trial scales around nmax/max. Returns the scale.
    @inline(__always)
    static func makeQXQuants(_ n: Int, _ nmax: Int32, _ x: UnsafePointer<Float>, _ L: UnsafeMutablePointer<Int8>) -> Float {
        var maxV: Float = 0, amax: Float = 0
        for i in 0..<n {
            let ax = abs(x[i])
            if ax > amax { amax = ax; maxV = x[i] }
        }
        if amax < groupMaxEps {
            for i in 0..<n { L[i] = 0 }
            return 0
        }
        let fnmax = Float(nmax)
        var iscale = -fnmax / maxV
        var sumlx: Float = 0, suml2: Float = 0
        for i in 0..<n {
            let l = clamp(nearestInt(iscale * x[i]), -nmax, nmax - 1)
            L[i] = Int8(truncatingIfNeeded: l + nmax)
            let w = x[i] * x[i], fl = Float(l)
            sumlx += w * x[i] * fl
            suml2 += w * fl * fl
        }
        var scale: Float = suml2 != 0 ? sumlx / suml2 : 0
        var best = scale * sumlx
        // w = x², and w·x (C's `w*x[i]*l` is `(w*x[i])*l`) are the same in every trial.
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * n) { buffer -> Float in
        let ws = buffer.baseAddress!, wx = ws + n
        for i in 0..<n { ws[i] = x[i] * x[i]; wx[i] = ws[i] * x[i] }
        for step in -9...9 where step != 0 {
            iscale = -(fnmax + 0.1 * Float(step)) / maxV
            sumlx = 0; suml2 = 0
            for i in 0..<n {
                let l = clamp(nearestInt(iscale * x[i]), -nmax, nmax - 1)
                let fl = Float(l)
                sumlx += wx[i] * fl
                suml2 += ws[i] * fl * fl
            }
            if suml2 > 0 && sumlx * sumlx > best * suml2 {
                for i in 0..<n {
                    L[i] = Int8(truncatingIfNeeded: nmax + clamp(nearestInt(iscale * x[i]), -nmax, nmax - 1))
                }
                scale = sumlx / suml2; best = scale * sumlx
            }
        }
        return scale
        }
    }

    /// `make_q3_quants(n, nmax, x, L, do_rmse = true)`: symmetric levels refined one element
    /// at a time (up to 5 passes), weights x². Returns the scale; L holds level + nmax.
    static func makeQ3Quants(_ n: Int, _ nmax: Int32, _ x: UnsafePointer<Float>, _ L: UnsafeMutablePointer<Int8>) -> Float {
        var maxV: Float = 0, amax: Float = 0
        for i in 0..<n {
            let ax = abs(x[i])
            if ax > amax { amax = ax; maxV = x[i] }
        }
        if amax < groupMaxEps {
            for i in 0..<n { L[i] = 0 }
            return 0
        }
        let iscale = -Float(nmax) / maxV
        var sumlx: Float = 0, suml2: Float = 0
        for i in 0..<n {
            let l = clamp(nearestInt(iscale * x[i]), -nmax, nmax - 1)
            L[i] = Int8(truncatingIfNeeded: l)
            let w = x[i] * x[i], fl = Float(l)
            sumlx += w * x[i] * fl
            suml2 += w * fl * fl
        }
        for _ in 0..<5 {
            var changed = 0
            for i in 0..<n {
                let w = x[i] * x[i]
                let li = Float(L[i])
                var slx = sumlx - w * x[i] * li
                if slx > 0 {
                    var sl2 = suml2 - w * li * li
                    let newL = clamp(nearestInt(x[i] * sl2 / slx), -nmax, nmax - 1)
                    if newL != Int32(L[i]) {
                        let fl = Float(newL)
                        slx += w * x[i] * fl
                        sl2 += w * fl * fl
                        if sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2 {
                            L[i] = Int8(truncatingIfNeeded: newL); sumlx = slx; suml2 = sl2
                            changed += 1
                        }
                    }
                }
            }
            if changed == 0 { break }
        }
        for i in 0..<n { L[i] = L[i] &+ Int8(truncatingIfNeeded: nmax) }
        return suml2 > 0 ? sumlx / suml2 : 0
    }

    /// `make_qkx2_quants`: asymmetric levels in [0, nmax] with a min, weighted error
    /// (absolute when `useMad`), nstep+1 trial scales. Returns (scale, the_min = −min).
    @inline(__always)
    static func makeQKX2Quants(_ n: Int, _ nmax: Int32, _ x: UnsafePointer<Float>, _ weights: UnsafePointer<Float>,
                               _ L: UnsafeMutablePointer<UInt8>, _ Laux: UnsafeMutablePointer<UInt8>,
                               rmin: Float, rdelta: Float, nstep: Int, useMad: Bool) -> (scale: Float, theMin: Float) {
        var minV = x[0], maxV = x[0]
        var sumW = weights[0]
        var sumX = sumW * x[0]
        for i in 1..<n {
            if x[i] < minV { minV = x[i] }
            if x[i] > maxV { maxV = x[i] }
            let w = weights[i]
            sumW += w
            sumX += w * x[i]
        }
        if minV > 0 { minV = 0 }
        if maxV == minV {
            for i in 0..<n { L[i] = 0 }
            return (0, -minV)
        }
        let fnmax = Float(nmax)
        let iscale = fnmax / (maxV - minV)
        var scale = 1 / iscale
        var bestError: Float = 0
        // x[i] − min and max − min are kept in xm / range and recomputed whenever a trial
        // replaces min (C evaluates them inside the loop with the current min).
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: 3 * n) { buffer -> (scale: Float, theMin: Float) in
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: n) { levelsB -> (scale: Float, theMin: Float) in
        let xm = buffer.baseAddress!, lauxA = xm + n, lauxB = xm + 2 * n   // Float(level) of trials A and B
        let LauxB = levelsB.baseAddress!
        for i in 0..<n { xm[i] = x[i] - minV }
        for i in 0..<n {
            let l = clamp(nearestInt(iscale * xm[i]), 0, nmax)
            L[i] = UInt8(truncatingIfNeeded: l)
            var diff = scale * Float(l) + minV - x[i]
            diff = useMad ? abs(diff) : diff * diff
            bestError += weights[i] * diff
        }
        if nstep < 1 { return (scale, -minV) }
        var range = maxV - minV
        // Trials run two at a time (A = step, B = step + 1) so their serial sums overlap; both
        // use the current min. If A wins, min changes and B is redone as the next A, exactly
        // the sequence of C's loop.
        var step = 0
        while step <= nstep {
            let paired = step < nstep
            let iA = (rmin + rdelta * Float(step) + fnmax) / range
            let iB = paired ? (rmin + rdelta * Float(step + 1) + fnmax) / range : iA
            var aL: Float = 0, aL2: Float = 0, aXL: Float = 0, bL: Float = 0, bL2: Float = 0, bXL: Float = 0
            for i in 0..<n {
                let w = weights[i]
                let la = clamp(nearestInt(iA * xm[i]), 0, nmax), lb = clamp(nearestInt(iB * xm[i]), 0, nmax)
                Laux[i] = UInt8(truncatingIfNeeded: la); LauxB[i] = UInt8(truncatingIfNeeded: lb)
                let fa = Float(la), fb = Float(lb)
                lauxA[i] = fa; lauxB[i] = fb
                aL += w * fa; aL2 += w * fa * fa; aXL += w * fa * x[i]
                bL += w * fb; bL2 += w * fb * fb; bXL += w * fb * x[i]
            }
            let a = fit(aL, aL2, aXL, sumW, sumX), b = paired ? fit(bL, bL2, bXL, sumW, sumX) : nil
            var eA: Float = 0, eB: Float = 0
            if let a, let b {
                for i in 0..<n {
                    var dA = a.scale * lauxA[i] + a.min - x[i], dB = b.scale * lauxB[i] + b.min - x[i]
                    dA = useMad ? abs(dA) : dA * dA
                    dB = useMad ? abs(dB) : dB * dB
                    eA += weights[i] * dA
                    eB += weights[i] * dB
                }
            } else if let t = a ?? b {
                let levels = a != nil ? lauxA : lauxB
                var e: Float = 0
                for i in 0..<n {
                    var d = t.scale * levels[i] + t.min - x[i]
                    d = useMad ? abs(d) : d * d
                    e += weights[i] * d
                }
                if a != nil { eA = e } else { eB = e }
            }
            if let a, eA < bestError {
                for i in 0..<n { L[i] = Laux[i] }
                bestError = eA; scale = a.scale; minV = a.min
                range = maxV - minV
                for i in 0..<n { xm[i] = x[i] - minV }
                step += 1                  // B saw the old min: it is redone next
                continue
            }
            if let b, eB < bestError {
                for i in 0..<n { L[i] = LauxB[i] }
                bestError = eB; scale = b.scale; minV = b.min
                range = maxV - minV
                for i in 0..<n { xm[i] = x[i] - minV }
            }
            step += paired ? 2 : 1
        }
        return (scale, -minV)
        }
        }
    }

    /// The weighted least-squares scale and min of one `make_qkx2_quants` trial, or nil when
    /// its determinant is not positive (the trial is skipped).
    @inline(__always)
    static func fit(_ sumL: Float, _ sumL2: Float, _ sumXL: Float, _ sumW: Float, _ sumX: Float) -> (scale: Float, min: Float)? {
        let D = sumW * sumL2 - sumL * sumL
        guard D > 0 else { return nil }
        var thisScale = (sumW * sumXL - sumX * sumL) / D
        var thisMin = (sumL2 * sumX - sumL * sumXL) / D
        if thisMin > 0 {
            thisMin = 0
            thisScale = sumXL / sumL2
        }
        return (thisScale, thisMin)
    }
}
