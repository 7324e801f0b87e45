/// Dequantization of the 32/64/128-element block types and the ternary types, each a
/// transcription of gguf-py's `dequantize_blocks` (or ggml's `dequantize_row_*` where gguf-py
/// has none) with the same f32 operations in the same order. Layouts: Formats/gguf.md.
enum GGMLLegacyBlocks {
    /// Q4_1: f16 d, f16 m, 16 bytes of nibbles (low nibbles are elements 0–15); y = d·q + m.
    static func q4_1(_ src: UnsafeRawBufferPointer, _ dst: UnsafeMutableBufferPointer<Float>) {
        forEachBlock(src, dst, typeSize: 20, blockSize: 32) { b, y in
            let d = f16At(b, 0), m = f16At(b, 2)
            for j in 0..<16 {
                let q = b.load(fromByteOffset: 4 + j, as: UInt8.self)
                y[j] = d * Float(q & 0x0F) + m
                y[j + 16] = d * Float(q >> 4) + m
            }
        }
    }

    /// Q5_0: f16 d, u32 of fifth bits, nibbles; y = d·(q − 16).
    static func q5_0(_ src: UnsafeRawBufferPointer, _ dst: UnsafeMutableBufferPointer<Float>) {
        forEachBlock(src, dst, typeSize: 22, blockSize: 32) { b, y in
            let d = f16At(b, 0), qh = u32At(b, 2)
            for j in 0..<16 {
                let q = b.load(fromByteOffset: 6 + j, as: UInt8.self)
                let lo = Int8(q & 0x0F | UInt8((qh >> j) & 1) << 4) - 16
                let hi = Int8(q >> 4 | UInt8((qh >> (j + 16)) & 1) << 4) - 16
                y[j] = d * Float(lo)
                y[j + 16] = d * Float(hi)
            }
        }
    }

    /// Q5_1: f16 d, f16 m, u32 of fifth bits, nibbles; y = d·q + m.
    static func q5_1(_ src: UnsafeRawBufferPointer, _ dst: UnsafeMutableBufferPointer<Float>) {
        forEachBlock(src, dst, typeSize: 24, blockSize: 32) { b, y in
            let d = f16At(b, 0), m = f16At(b, 2), qh = u32At(b, 4)
            for j in 0..<16 {
                let q = b.load(fromByteOffset: 8 + j, as: UInt8.self)
                let lo = q & 0x0F | UInt8((qh >> j) & 1) << 4
                let hi = q >> 4 | UInt8((qh >> (j + 16)) & 1) << 4
                y[j] = d * Float(lo) + m
                y[j + 16] = d * Float(hi) + m
            }
        }
    }

    /// Q1_0 (ggml): f16 d, 128 sign bits; y = bit ? d : −d.
    static func q1_0(_ src: UnsafeRawBufferPointer, _ dst: UnsafeMutableBufferPointer<Float>) {
        forEachBlock(src, dst, typeSize: 18, blockSize: 128) { b, y in
            let d = f16At(b, 0)
            for j in 0..<128 {
                let bit = (b.load(fromByteOffset: 2 + j / 8, as: UInt8.self) >> (j % 8)) & 1
                y[j] = bit == 1 ? d : -d
            }
        }
    }

    /// Q2_0 (ggml): f16 d, 2-bit q (element j in bits 2·(j%4) of byte j/4); y = (q − 1)·d.
    static func q2_0(_ src: UnsafeRawBufferPointer, _ dst: UnsafeMutableBufferPointer<Float>) {
        forEachBlock(src, dst, typeSize: 18, blockSize: 64) { b, y in
            let d = f16At(b, 0)
            for j in 0..<64 {
                let q = (b.load(fromByteOffset: 2 + j / 4, as: UInt8.self) >> (2 * (j % 4))) & 3
                y[j] = Float(Int(q) - 1) * d
            }
        }
    }

    /// IQ4_NL: f16 d, nibbles indexing the non-linear table; y = d·kvalues[q].
    static func iq4_nl(_ src: UnsafeRawBufferPointer, _ dst: UnsafeMutableBufferPointer<Float>) {
        let kv = GGMLGrids.iq4nl
        kv.withUnsafeBufferPointer { kv in
            forEachBlock(src, dst, typeSize: 18, blockSize: 32) { b, y in
                let d = f16At(b, 0)
                for j in 0..<16 {
                    let q = b.load(fromByteOffset: 2 + j, as: UInt8.self)
                    y[j] = d * kv[Int(q & 0x0F)]
                    y[j + 16] = d * kv[Int(q >> 4)]
                }
            }
        }
    }

    /// ggml_e8m0_to_fp32_half: 2^(e − 128) as f32 bits, subnormal for e < 2.
    @inline(__always) static func e8m0Half(_ e: UInt8) -> Float {
        Float(bitPattern: e < 2 ? UInt32(0x0020_0000) << UInt32(e) : UInt32(e - 1) << 23)
    }

    /// MXFP4: e8m0 exponent byte, nibbles indexing doubled E2M1 values; y = d·kvalues[q].
    static func mxfp4(_ src: UnsafeRawBufferPointer, _ dst: UnsafeMutableBufferPointer<Float>) {
        let kv = GGMLGrids.e2m1
        kv.withUnsafeBufferPointer { kv in
            forEachBlock(src, dst, typeSize: 17, blockSize: 32) { b, y in
                let d = e8m0Half(b.load(as: UInt8.self))
                for j in 0..<16 {
                    let q = b.load(fromByteOffset: 1 + j, as: UInt8.self)
                    y[j] = d * kv[Int(q & 0x0F)]
                    y[j + 16] = d * kv[Int(q >> 4)]
                }
            }
        }
    }

    /// gguf-py NVFP4 `ue4m3_to_fp32`: unsigned E4M3 (bias 7) times 0.5; 0 and 0x7F give 0.
    @inline(__always) static func ue4m3Half(_ x: UInt8) -> Float {
        let exp = Int((x >> 3) & 0x0F), man = Float(x & 7)
        let raw: Float = exp == 0 ? man * 0x1p-9 : (1 + man / 8) * Float(sign: .plus, exponent: exp - 7, significand: 1)
        return x == 0 || x == 0x7F ? 0 : raw * 0.5
    }

    /// NVFP4: 4 E4M3 sub-block scales, then 4 × 8 bytes of nibbles (low nibbles first).
    static func nvfp4(_ src: UnsafeRawBufferPointer, _ dst: UnsafeMutableBufferPointer<Float>) {
        let kv = GGMLGrids.e2m1
        kv.withUnsafeBufferPointer { kv in
            forEachBlock(src, dst, typeSize: 36, blockSize: 64) { b, y in
                for s in 0..<4 {
                    let d = ue4m3Half(b.load(fromByteOffset: s, as: UInt8.self))
                    for l in 0..<8 {
                        let q = b.load(fromByteOffset: 4 + s * 8 + l, as: UInt8.self)
                        y[s * 16 + l] = d * kv[Int(q & 0x0F)]
                        y[s * 16 + 8 + l] = d * kv[Int(q >> 4)]
                    }
                }
            }
        }
    }

    /// TQ1_0: base-3 digits packed 5 (or 4) per byte as fixed-point fractions; 48 bytes for
    /// 240 elements, 4 bytes for the last 16, f16 d last. Digit p of byte v is
    /// ((v·3^p mod 256)·3) >> 8; y = d·(digit − 1).
    static func tq1_0(_ src: UnsafeRawBufferPointer, _ dst: UnsafeMutableBufferPointer<Float>) {
        let pow3: [UInt8] = [1, 3, 9, 27, 81]
        @inline(__always) func trit(_ v: UInt8, _ p: Int) -> Float {
            Float(Int8(truncatingIfNeeded: (UInt16(v &* pow3[p]) * 3) >> 8) - 1)
        }
        forEachBlock(src, dst, typeSize: 54, blockSize: 256) { b, y in
            let d = f16At(b, 52)
            for p in 0..<5 {
                for l in 0..<32 { y[p * 32 + l] = d * trit(b.load(fromByteOffset: l, as: UInt8.self), p) }
                for l in 0..<16 { y[160 + p * 16 + l] = d * trit(b.load(fromByteOffset: 32 + l, as: UInt8.self), p) }
            }
            for p in 0..<4 {
                for l in 0..<4 { y[240 + p * 4 + l] = d * trit(b.load(fromByteOffset: 48 + l, as: UInt8.self), p) }
            }
        }
    }

    /// TQ2_0: 2-bit q in 64 bytes (element 128·h + 32·s + l in bits 2s of byte 32h + l), f16 d; y = d·(q − 1).
    static func tq2_0(_ src: UnsafeRawBufferPointer, _ dst: UnsafeMutableBufferPointer<Float>) {
        forEachBlock(src, dst, typeSize: 66, blockSize: 256) { b, y in
            let d = f16At(b, 64)
            for h in 0..<2 {
                for s in 0..<4 {
                    for l in 0..<32 {
                        let q = (b.load(fromByteOffset: 32 * h + l, as: UInt8.self) >> (2 * s)) & 3
                        y[128 * h + 32 * s + l] = d * Float(Int8(q) - 1)
                    }
                }
            }
        }
    }
}
