import CTemperKernels

/// Q4_K, Q5_K and Q6_K super-blocks (256 values) as `quantize_row_q4_K_ref`,
/// `quantize_row_q5_K_ref` and `quantize_row_q6_K_ref` compute them (`llama-quantize`
/// without an importance matrix). The per-sub-block searches run either as the Swift scalar
/// code (`simd: KQuantSearch.scalar`) or as the lane kernels of CTemperKernels
/// (`temper_kquant.h`, one sub-block per lane); both give the same bits.
enum Q4Q5Q6KQuants {
    typealias S = KQuantSearch

    /// Q4_K (144 bytes): f16 d, f16 dmin, scales[12] (6-bit scales and mins), qs[128] (4-bit).
    static func q4_KBlock(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer) { q4_KBlocks(x, out, 1) }

    static func q4_KBlocks(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer, _ count: Int, simd: Int32 = S.simd) {
        minScaleBlocks(x, out, count, size: 144, nmax: 15, rmin: -1, nstep: 20, simd: simd) { L, out in
            let q = (out + 16).assumingMemoryBound(to: UInt8.self)
            for j in stride(from: 0, to: 256, by: 64) {
                for l in 0..<32 { q[j / 2 + l] = L[j + l] | (L[j + l + 32] << 4) }
            }
        }
    }

    /// Q5_K (176 bytes): f16 d, f16 dmin, scales[12], qh[32] (fifth bits), qs[128] (low 4 bits).
    static func q5_KBlock(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer) { q5_KBlocks(x, out, 1) }

    static func q5_KBlocks(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer, _ count: Int, simd: Int32 = S.simd) {
        minScaleBlocks(x, out, count, size: 176, nmax: 31, rmin: -0.5, nstep: 15, simd: simd) { L, out in
            let qh = (out + 16).assumingMemoryBound(to: UInt8.self), ql = qh + 32
            for j in 0..<32 { qh[j] = 0 }
            var m1: UInt8 = 1, m2: UInt8 = 2
            for n in stride(from: 0, to: 256, by: 64) {
                for j in 0..<32 {
                    var l1 = L[n + j], l2 = L[n + j + 32]
                    if l1 > 15 { l1 -= 16; qh[j] |= m1 }
                    if l2 > 15 { l2 -= 16; qh[j] |= m2 }
                    ql[n / 2 + j] = l1 | (l2 << 4)
                }
                m1 = m1 &<< 2; m2 = m2 &<< 2
            }
        }
    }

    /// The part Q4_K and Q5_K share, for `count` super-blocks of `size` bytes: per 32 values
    /// `make_qkx2_quants` with weights av_x + |x| (four super-blocks' 32 searches at a time on
    /// the lane kernels), then `finishMinScale`. `pack` writes the levels.
    @inline(__always)
    private static func minScaleBlocks(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer, _ count: Int, size: Int,
                                       nmax: Int32, rmin: Float, nstep: Int, simd: Int32,
                                       pack: (UnsafeMutablePointer<UInt8>, UnsafeMutableRawPointer) -> Void) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 1024 + 32) { lbuf in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 32 + 64) { fbuf in
                let L = lbuf.baseAddress!, Laux = L + 1024
                let weights = fbuf.baseAddress!, scales = weights + 32, mins = scales + 32
                var b = 0
                while b < count {
                    let k = min(4, count - b), xb = x + 256 * b
                    if simd >= 0 {
                        temper_kquant_qkx2(xb, 8 * k, 32, nmax, rmin, 0.1, Int32(nstep), 0, 0, L, scales, mins, simd)
                    } else {
                        for j in 0..<(8 * k) {
                            let xs = xb + 32 * j
                            var sumX2: Float = 0
                            for l in 0..<32 { sumX2 += xs[l] * xs[l] }
                            let avX = (sumX2 / 32).squareRoot()
                            for l in 0..<32 { weights[l] = avX + abs(xs[l]) }
                            let r = S.makeQKX2Quants(32, nmax, xs, weights, L + 32 * j, Laux, rmin: rmin, rdelta: 0.1, nstep: nstep, useMad: false)
                            scales[j] = r.scale; mins[j] = r.theMin
                        }
                    }
                    for t in 0..<k {
                        finishMinScale(xb + 256 * t, out + size * (b + t), L + 256 * t, scales + 8 * t, mins + 8 * t, nmax: nmax)
                        pack(L + 256 * t, out + size * (b + t))
                    }
                    b += k
                }
            }
        }
    }

    /// One Q4_K/Q5_K super-block after its 8 searches: 6-bit scales and mins against the
    /// super-block maxima, d and dmin, then the levels recomputed with the rounded scales.
    @inline(__always)
    private static func finishMinScale(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer, _ L: UnsafeMutablePointer<UInt8>,
                                       _ scales: UnsafePointer<Float>, _ mins: UnsafePointer<Float>, nmax: Int32) {
        var maxScale: Float = 0, maxMin: Float = 0
        for j in 0..<8 {
            if scales[j] > maxScale { maxScale = scales[j] }
            if mins[j] > maxMin { maxMin = mins[j] }
        }
        let sc = (out + 4).assumingMemoryBound(to: UInt8.self)
        let invScale: Float = maxScale > 0 ? 63 / maxScale : 0
        let invMin: Float = maxMin > 0 ? 63 / maxMin : 0
        for j in 0..<8 {
            let ls = min(63, UInt8(truncatingIfNeeded: S.nearestInt(invScale * scales[j])))
            let lm = min(63, UInt8(truncatingIfNeeded: S.nearestInt(invMin * mins[j])))
            if j < 4 {
                sc[j] = ls; sc[j + 4] = lm
            } else {
                sc[j + 4] = (ls & 0xf) | ((lm & 0xf) << 4)
                sc[j - 4] |= (ls >> 4) << 6
                sc[j] |= (lm >> 4) << 6
            }
        }
        let dBits = S.half(maxScale / 63), mBits = S.half(maxMin / 63)
        out.storeBytes(of: dBits.littleEndian, toByteOffset: 0, as: UInt16.self)
        out.storeBytes(of: mBits.littleEndian, toByteOffset: 2, as: UInt16.self)
        let dAll = S.halfToFloat(dBits), mAll = S.halfToFloat(mBits)
        for j in 0..<8 {
            let (s, m) = scaleMinK4(j, sc)
            let d = dAll * Float(s)
            if d == 0 { continue }
            let dm = mAll * Float(m)
            for ii in 0..<32 {
                L[32 * j + ii] = UInt8(truncatingIfNeeded: S.clamp(S.nearestInt((x[32 * j + ii] + dm) / d), 0, nmax))
            }
        }
    }

    /// ggml `get_scale_min_k4`: the j-th 6-bit scale and min of a 12-byte scales field.
    @inline(__always) static func scaleMinK4(_ j: Int, _ q: UnsafePointer<UInt8>) -> (UInt8, UInt8) {
        if j < 4 { return (q[j] & 63, q[j + 4] & 63) }
        return ((q[j + 4] & 0xf) | ((q[j - 4] >> 6) << 4), (q[j + 4] >> 4) | ((q[j] >> 6) << 4))
    }

    /// Q6_K (210 bytes): ql[128] (low 4 bits), qh[64] (high 2 bits), int8 scales[16], f16 d.
    static func q6_KBlock(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer) { q6_KBlocks(x, out, 1) }

    static func q6_KBlocks(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer, _ count: Int, simd: Int32 = S.simd) {
        withUnsafeTemporaryAllocation(of: Int8.self, capacity: 512) { lbuf in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 32) { fbuf in
                let L = lbuf.baseAddress!, scales = fbuf.baseAddress!
                var b = 0
                while b < count {
                    let k = min(2, count - b), xb = x + 256 * b   // two super-blocks fill 32 lanes
                    if simd >= 0 {
                        temper_kquant_qx(xb, 16 * k, 16, 32, L, scales, simd)
                    } else {
                        for ib in 0..<(16 * k) { scales[ib] = S.makeQXQuants(16, 32, xb + 16 * ib, L + 16 * ib) }
                    }
                    for t in 0..<k { q6_K(xb + 256 * t, out + 210 * (b + t), L + 256 * t, scales + 16 * t) }
                    b += k
                }
            }
        }
    }

    /// One Q6_K super-block after its 16 searches (levels + 32 in L, scales).
    private static func q6_K(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer,
                             _ L: UnsafeMutablePointer<Int8>, _ scales: UnsafeMutablePointer<Float>) {
        let bytes = out.assumingMemoryBound(to: UInt8.self)
        var maxScale: Float = 0, maxAbsScale: Float = 0
        for ib in 0..<16 {
            let scale = scales[ib]
            if abs(scale) > maxAbsScale { maxAbsScale = abs(scale); maxScale = scale }
        }
        if maxAbsScale < S.groupMaxEps {
            for k in 0..<210 { bytes[k] = 0 }
            out.storeBytes(of: S.half(0).littleEndian, toByteOffset: 208, as: UInt16.self)
            return
        }
        let iscale = -128 / maxScale
        let dBits = S.half(1 / iscale)
        out.storeBytes(of: dBits.littleEndian, toByteOffset: 208, as: UInt16.self)
        let sc = (out + 192).assumingMemoryBound(to: Int8.self)
        for ib in 0..<16 { sc[ib] = Int8(truncatingIfNeeded: min(127, S.nearestInt(iscale * scales[ib]))) }
        let dAll = S.halfToFloat(dBits)
        for j in 0..<16 {
            let d = dAll * Float(sc[j])
            if d == 0 { continue }
            for ii in 0..<16 {
                L[16 * j + ii] = Int8(truncatingIfNeeded: S.clamp(S.nearestInt(x[16 * j + ii] / d), -32, 31) + 32)
            }
        }
        let ql = bytes, qh = bytes + 128
        for (half, j) in stride(from: 0, to: 256, by: 128).enumerated() {
            let qlb = ql + 64 * half, qhb = qh + 32 * half
            for l in 0..<32 {
                let a = UInt8(bitPattern: L[j + l]), b = UInt8(bitPattern: L[j + l + 32])
                let c = UInt8(bitPattern: L[j + l + 64]), e = UInt8(bitPattern: L[j + l + 96])
                qlb[l] = (a & 0xf) | ((c & 0xf) << 4)
                qlb[l + 32] = (b & 0xf) | ((e & 0xf) << 4)
                qhb[l] = (a >> 4) | ((b >> 4) << 2) | ((c >> 4) << 4) | ((e >> 4) << 6)
            }
        }
    }
}
