/// IQ4_NL (32 values) and IQ4_XS (256 values): 4-bit indices into ggml's non-linear
/// `kvalues_iq4nl` grid, as `quantize_iq4_nl` / `quantize_iq4_xs` compute them without an
/// importance matrix (`quantize_row_iq4_nl_impl` with ntry = 7, which `llama-quantize` uses).
enum IQ4Quants {
    typealias S = KQuantSearch

    /// ggml `kvalues_iq4nl`.
    static let grid: [Int8] = [-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113]
    static let ntry = 7
    static let floatGrid: [Float] = grid.map(Float.init)

    /// ggml `best_index_int8(16, kvalues_iq4nl, x)`: the nearest grid index (the lower on ties).
    @inline(__always) static func bestIndex(_ values: UnsafePointer<Float>, _ x: Float) -> Int {
        if x <= values[0] { return 0 }
        if x >= values[15] { return 15 }
        var ml = 0, mu = 15
        while mu - ml > 1 {
            let mav = (ml + mu) / 2
            if x < values[mav] { mu = mav } else { ml = mav }
        }
        return x - values[mu - 1] < values[mu] - x ? mu - 1 : mu
    }

    /// IQ4_NL (18 bytes): f16 d, 16 bytes of index pairs (element j low nibble, j+16 high).
    static func iq4_NLBlock(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer) {
        superBlock(x, out, size: 32)
    }

    /// IQ4_XS (136 bytes): f16 d, u16 scales_h, scales_l[4] (6-bit sub-block scales), qs[128].
    static func iq4_XSBlock(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer) {
        superBlock(x, out, size: 256)
    }

    private static func superBlock(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer, size: Int) {
        floatGrid.withUnsafeBufferPointer { values in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256) { lbuf in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: 32 + 8) { fbuf in
                    impl(x, out, size, values.baseAddress!, lbuf.baseAddress!, fbuf.baseAddress!, fbuf.baseAddress! + 32)
                }
            }
        }
    }

    private static func impl(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer, _ size: Int, _ values: UnsafePointer<Float>,
                             _ L: UnsafeMutablePointer<UInt8>, _ weight: UnsafeMutablePointer<Float>, _ scales: UnsafeMutablePointer<Float>) {
        let blockSize = 32
        let isXS = size > blockSize
        let q4 = (out + (isXS ? 8 : 2)).assumingMemoryBound(to: UInt8.self)
        for j in 0..<size / 2 { q4[j] = 0 }
        var dBits = S.half(0)
        var maxScale: Float = 0, amaxScale: Float = 0
        let v0 = values[0]
        for ib in 0..<size / blockSize {
            let xb = x + ib * blockSize, Lb = L + ib * blockSize
            for j in 0..<blockSize { weight[j] = xb[j] * xb[j] }
            var amax: Float = 0, maxV: Float = 0
            for j in 0..<blockSize {
                let ax = abs(xb[j])
                if ax > amax { amax = ax; maxV = xb[j] }
            }
            if amax < S.groupMaxEps {
                scales[ib] = 0
                continue
            }
            var d = -maxV / v0
            var id = 1 / d
            var sumqx: Float = 0, sumq2: Float = 0
            for j in 0..<blockSize {
                let l = bestIndex(values, id * xb[j])
                Lb[j] = UInt8(l)
                let q = values[l], w = weight[j]
                sumqx += w * q * xb[j]
                sumq2 += w * q * q
            }
            d = sumq2 > 0 ? sumqx / sumq2 : 0
            var best = d * sumqx
            for itry in -ntry...ntry {
                id = (Float(itry) + v0) / maxV
                sumqx = 0; sumq2 = 0
                for j in 0..<blockSize {
                    let q = values[bestIndex(values, id * xb[j])], w = weight[j]
                    sumqx += w * q * xb[j]
                    sumq2 += w * q * q
                }
                if sumq2 > 0 && sumqx * sumqx > best * sumq2 {
                    d = sumqx / sumq2; best = d * sumqx
                }
            }
            scales[ib] = d
            if abs(d) > amaxScale { amaxScale = abs(d); maxScale = d }
        }
        if isXS {
            let scalesL = (out + 4).assumingMemoryBound(to: UInt8.self)
            var scalesH: UInt16 = 0
            let d = -maxScale / 32
            dBits = S.half(d)
            let id: Float = d != 0 ? 1 / d : 0
            for ib in 0..<size / blockSize {
                var l = S.clamp(S.nearestInt(id * scales[ib]), -32, 31)
                let dl = d * Float(l)
                let idl: Float = dl != 0 ? 1 / dl : 0
                let Lb = L + ib * blockSize, xb = x + ib * blockSize
                for j in 0..<blockSize { Lb[j] = UInt8(bestIndex(values, idl * xb[j])) }
                l += 32
                let lLow = UInt8(truncatingIfNeeded: l & 0xf), lHigh = UInt16(truncatingIfNeeded: l >> 4)
                if ib % 2 == 0 { scalesL[ib / 2] = lLow } else { scalesL[ib / 2] |= lLow << 4 }
                scalesH |= lHigh << UInt16(2 * (ib % 8))
            }
            out.storeBytes(of: scalesH.littleEndian, toByteOffset: 2, as: UInt16.self)
        } else {
            dBits = S.half(scales[0])
            let id: Float = scales[0] != 0 ? 1 / scales[0] : 0
            for j in 0..<size { L[j] = UInt8(bestIndex(values, id * x[j])) }
        }
        out.storeBytes(of: dBits.littleEndian, toByteOffset: 0, as: UInt16.self)
        for i in 0..<size / 32 {
            for j in 0..<16 { q4[16 * i + j] = L[32 * i + j] | (L[32 * i + 16 + j] << 4) }
        }
    }
}
