/// ggml's 32-element legacy types beyond Q4_0/Q8_0, as `quantize_row_q4_1_ref`,
/// `quantize_row_q5_0_ref` and `quantize_row_q5_1_ref` compute them (what `llama-quantize`
/// writes without an importance matrix), operation by operation in f32.
enum LegacyQuants {
    /// C's `(int8_t)f`: truncate to int32 (cvttss2si; NaN and out-of-range give 0x80000000), keep the low byte.
    @inline(__always) static func int8Cast(_ v: Float) -> Int8 { Int8(bitPattern: Quantize.castLowByte(v)) }

    /// Min and max of 32 values as the reference loop finds them.
    @inline(__always) static func minMax(_ x: UnsafePointer<Float>) -> (Float, Float) {
        var lo = Float.greatestFiniteMagnitude, hi = -Float.greatestFiniteMagnitude
        for j in 0..<32 {
            let v = x[j]
            if v < lo { lo = v }
            if v > hi { hi = v }
        }
        return (lo, hi)
    }

    /// Value of the largest magnitude, sign kept (first one on ties), as Q4_0/Q5_0 pick it.
    @inline(__always) static func signedAbsMax(_ x: UnsafePointer<Float>) -> Float {
        var amax: Float = 0, maxV: Float = 0
        for j in 0..<32 where amax < abs(x[j]) {
            amax = abs(x[j]); maxV = x[j]
        }
        return maxV
    }

    @inline(__always) static func storeHalf(_ out: UnsafeMutableRawPointer, _ offset: Int, _ v: Float) {
        out.storeBytes(of: KQuantSearch.half(v).littleEndian, toByteOffset: offset, as: UInt16.self)
    }

    /// Q4_1 (20 bytes): f16 d = (max − min)/15, f16 m = min, q = min(15, (int8)((x − min)/d + 0.5)).
    static func q4_1Block(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer) {
        let (lo, hi) = minMax(x)
        let d = (hi - lo) / 15
        let id: Float = d != 0 ? 1 / d : 0
        storeHalf(out, 0, d)
        storeHalf(out, 2, lo)
        let qs = (out + 4).assumingMemoryBound(to: UInt8.self)
        for j in 0..<16 {
            let a = UInt8(bitPattern: min(15, int8Cast((x[j] - lo) * id + 0.5)))
            let b = UInt8(bitPattern: min(15, int8Cast((x[j + 16] - lo) * id + 0.5)))
            qs[j] = a | (b << 4)
        }
    }

    /// Q5_0 (22 bytes): f16 d = (value of largest magnitude)/−16, q = min(31, (int8)(x/d + 16.5)),
    /// low nibbles in qs, fifth bits in a 32-bit qh.
    static func q5_0Block(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer) {
        let d = signedAbsMax(x) / -16
        let id: Float = d != 0 ? 1 / d : 0
        storeHalf(out, 0, d)
        var qh: UInt32 = 0
        let qs = (out + 6).assumingMemoryBound(to: UInt8.self)
        for j in 0..<16 {
            let a = UInt8(bitPattern: min(31, int8Cast(x[j] * id + 16.5)))
            let b = UInt8(bitPattern: min(31, int8Cast(x[j + 16] * id + 16.5)))
            qs[j] = (a & 0x0f) | ((b & 0x0f) << 4)
            qh |= UInt32((a & 0x10) >> 4) << UInt32(j)
            qh |= UInt32((b & 0x10) >> 4) << UInt32(j + 16)
        }
        out.storeBytes(of: qh.littleEndian, toByteOffset: 2, as: UInt32.self)
    }

    /// Q5_1 (24 bytes): f16 d = (max − min)/31, f16 m = min, q = (uint8)((x − min)/d + 0.5).
    static func q5_1Block(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer) {
        let (lo, hi) = minMax(x)
        let d = (hi - lo) / 31
        let id: Float = d != 0 ? 1 / d : 0
        storeHalf(out, 0, d)
        storeHalf(out, 2, lo)
        var qh: UInt32 = 0
        let qs = (out + 8).assumingMemoryBound(to: UInt8.self)
        for j in 0..<16 {
            let a = Quantize.castLowByte((x[j] - lo) * id + 0.5)
            let b = Quantize.castLowByte((x[j + 16] - lo) * id + 0.5)
            qs[j] = (a & 0x0f) | ((b & 0x0f) << 4)
            qh |= UInt32((a & 0x10) >> 4) << UInt32(j)
            qh |= UInt32((b & 0x10) >> 4) << UInt32(j + 16)
        }
        out.storeBytes(of: qh.littleEndian, toByteOffset: 4, as: UInt32.self)
    }
}
