import CTemperKernels

/// Q2_K and Q3_K super-blocks (256 values) as `quantize_row_q2_K_ref` and
/// `quantize_row_q3_K_ref` compute them (`llama-quantize` without an importance matrix).
enum Q2Q3KQuants {
    typealias S = KQuantSearch

    /// Q2_K (84 bytes): scales[16] (4-bit scale | 4-bit min), qs[64] (2-bit), f16 d, f16 dmin.
    static func q2_KBlock(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer) { q2_KBlocks(x, out, 1) }

    /// `count` Q2_K super-blocks; the 16 searches of each run on the lane kernels of
    /// CTemperKernels or (`simd: KQuantSearch.scalar`) as Swift code, with the same bits.
    static func q2_KBlocks(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer, _ count: Int, simd: Int32 = S.simd) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 512 + 16) { lbuf in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 16 + 64) { fbuf in
                let L = lbuf.baseAddress!, Laux = L + 512
                let weights = fbuf.baseAddress!, mins = weights + 16, scales = mins + 32
                var b = 0
                while b < count {
                    let k = min(2, count - b), xb = x + 256 * b   // two super-blocks fill 32 lanes
                    if simd >= 0 {
                        temper_kquant_qkx2(xb, 16 * k, 16, 3, -0.5, 0.1, 15, 1, 1, L, scales, mins, simd)
                    } else {
                        for j in 0..<(16 * k) {
                            for l in 0..<16 { weights[l] = abs(xb[16 * j + l]) }
                            let r = S.makeQKX2Quants(16, 3, xb + 16 * j, weights, L + 16 * j, Laux, rmin: -0.5, rdelta: 0.1, nstep: 15, useMad: true)
                            scales[j] = r.scale; mins[j] = r.theMin
                        }
                    }
                    for t in 0..<k { q2_K(xb + 256 * t, out + 84 * (b + t), L + 256 * t, mins + 16 * t, scales + 16 * t) }
                    b += k
                }
            }
        }
    }

    /// One Q2_K super-block after its 16 searches (levels in L, scales, mins).
    private static func q2_K(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer, _ L: UnsafeMutablePointer<UInt8>,
                             _ mins: UnsafeMutablePointer<Float>, _ scales: UnsafeMutablePointer<Float>) {
        let q4scale: Float = 15
        let sc = out.assumingMemoryBound(to: UInt8.self), qs = sc + 16
        var maxScale: Float = 0, maxMin: Float = 0
        for j in 0..<16 {
            if scales[j] > maxScale { maxScale = scales[j] }
            if mins[j] > maxMin { maxMin = mins[j] }
        }
        var dBits: UInt16, mBits: UInt16
        if maxScale > 0 {
            let iscale = q4scale / maxScale
            for j in 0..<16 { sc[j] = UInt8(truncatingIfNeeded: S.nearestInt(iscale * scales[j])) }
            dBits = S.half(maxScale / q4scale)
        } else {
            for j in 0..<16 { sc[j] = 0 }
            dBits = S.half(0)
        }
        if maxMin > 0 {
            let iscale = q4scale / maxMin
            for j in 0..<16 { sc[j] |= UInt8(truncatingIfNeeded: S.nearestInt(iscale * mins[j]) << 4) }
            mBits = S.half(maxMin / q4scale)
        } else {
            mBits = S.half(0)
        }
        let dAll = S.halfToFloat(dBits), mAll = S.halfToFloat(mBits)
        for j in 0..<16 {
            let d = dAll * Float(sc[j] & 0xf)
            if d == 0 { continue }
            let dm = mAll * Float(sc[j] >> 4)
            for ii in 0..<16 {
                L[16 * j + ii] = UInt8(truncatingIfNeeded: S.clamp(S.nearestInt((x[16 * j + ii] + dm) / d), 0, 3))
            }
        }
        for j in stride(from: 0, to: 256, by: 128) {
            for l in 0..<32 {
                qs[j / 4 + l] = L[j + l] | (L[j + l + 32] << 2) | (L[j + l + 64] << 4) | (L[j + l + 96] << 6)
            }
        }
        out.storeBytes(of: dBits.littleEndian, toByteOffset: 80, as: UInt16.self)
        out.storeBytes(of: mBits.littleEndian, toByteOffset: 82, as: UInt16.self)
    }

    /// Q3_K (110 bytes): hmask[32] (high bits), qs[64] (low 2 bits), scales[12] (6-bit), f16 d.
    static func q3_KBlock(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer) { q3_KBlocks(x, out, 1) }

    /// `count` Q3_K super-blocks; the 16 searches of each run on the lane kernels (two
    /// super-blocks per call) or (`simd: KQuantSearch.scalar`) as Swift code, with the same bits.
    static func q3_KBlocks(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer, _ count: Int, simd: Int32 = S.simd) {
        withUnsafeTemporaryAllocation(of: Int8.self, capacity: 512) { lbuf in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 32) { fbuf in
                let L = lbuf.baseAddress!, scales = fbuf.baseAddress!
                var b = 0
                while b < count {
                    let k = min(2, count - b), xb = x + 256 * b
                    if simd >= 0 {
                        temper_kquant_q3(xb, 16 * k, 16, 4, L, scales, simd)
                    } else {
                        for j in 0..<(16 * k) { scales[j] = S.makeQ3Quants(16, 4, xb + 16 * j, L + 16 * j) }
                    }
                    for t in 0..<k { q3_K(xb + 256 * t, out + 110 * (b + t), L + 256 * t, scales + 16 * t) }
                    b += k
                }
            }
        }
    }

    /// One Q3_K super-block after its 16 searches (levels + 4 in L, scales).
    private static func q3_K(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer,
                             _ L: UnsafeMutablePointer<Int8>, _ scales: UnsafeMutablePointer<Float>) {
        let hmask = out.assumingMemoryBound(to: UInt8.self), qs = hmask + 32, sc = hmask + 96
        var maxScale: Float = 0, amax: Float = 0
        for j in 0..<16 {
            let scale = abs(scales[j])
            if scale > amax { amax = scale; maxScale = scales[j] }
        }
        for j in 0..<12 { sc[j] = 0 }
        var dBits: UInt16
        if maxScale != 0 {
            let iscale = -32 / maxScale
            for j in 0..<16 {
                // C: int8_t l = nearest_int(...); l = MAX(-32, MIN(31, l)) + 32;
                let raw = Int8(truncatingIfNeeded: S.nearestInt(iscale * scales[j]))
                let l = UInt8(bitPattern: max(-32, min(31, raw)) + 32)
                if j < 8 { sc[j] = l & 0xf } else { sc[j - 8] |= (l & 0xf) << 4 }
                sc[j % 4 + 8] |= (l >> 4) << UInt8(2 * (j / 4))
            }
            dBits = S.half(1 / iscale)
        } else {
            dBits = S.half(0)
        }
        let dAll = S.halfToFloat(dBits)
        for j in 0..<16 {
            let low = j < 8 ? sc[j] & 0xf : sc[j - 8] >> 4
            let s = Int32(low | (((sc[8 + j % 4] >> UInt8(2 * (j / 4))) & 3) << 4)) - 32
            let d = dAll * Float(s)
            if d == 0 { continue }
            for ii in 0..<16 {
                L[16 * j + ii] = Int8(truncatingIfNeeded: S.clamp(S.nearestInt(x[16 * j + ii] / d), -4, 3) + 4)
            }
        }
        for j in 0..<32 { hmask[j] = 0 }
        var m = 0
        var hm: UInt8 = 1
        for j in 0..<256 {
            if L[j] > 3 {
                hmask[m] |= hm
                L[j] -= 4
            }
            m += 1
            if m == 32 { m = 0; hm = hm &<< 1 }
        }
        for j in stride(from: 0, to: 256, by: 128) {
            for l in 0..<32 {
                let a = UInt8(bitPattern: L[j + l]), b = UInt8(bitPattern: L[j + l + 32])
                let c = UInt8(bitPattern: L[j + l + 64]), e = UInt8(bitPattern: L[j + l + 96])
                qs[j / 4 + l] = a | (b << 2) | (c << 4) | (e << 6)
            }
        }
        out.storeBytes(of: dBits.littleEndian, toByteOffset: 108, as: UInt16.self)
    }
}
