/// Dequantization of the 256-element k-quant super-blocks (and IQ4_XS, which shares their
/// scale packing), transcribed from gguf-py `dequantize_blocks` with the same f32 operations
/// in the same order. Element e of a block is written where gguf-py's reshapes put it.
enum GGMLKQuantBlocks {
    /// Q2_K: 16 scale bytes (low nibble scale, high nibble min), 64 bytes of 2-bit q, f16 d,
    /// f16 dmin. Element 128h + 32s + l is bits 2s of byte 32h + l; group e/16.
    static func q2_K(_ src: UnsafeRawBufferPointer, _ dst: UnsafeMutableBufferPointer<Float>) {
        forEachBlock(src, dst, typeSize: 84, blockSize: 256) { b, y in
            let d = f16At(b, 80), dmin = f16At(b, 82)
            for e in 0..<256 {
                let h = e / 128, s = (e / 32) % 4, l = e % 32
                let sc = b.load(fromByteOffset: e / 16, as: UInt8.self)
                let q = (b.load(fromByteOffset: 16 + 32 * h + l, as: UInt8.self) >> (2 * s)) & 3
                let dl = d * Float(sc & 0x0F), ml = dmin * Float(sc >> 4)
                y[e] = dl * Float(q) - ml
            }
        }
    }

    /// Q3_K: 32 bytes of high-bit mask, 64 bytes of 2-bit q, 12 bytes of 6-bit scales, f16 d.
    static func q3_K(_ src: UnsafeRawBufferPointer, _ dst: UnsafeMutableBufferPointer<Float>) {
        forEachBlock(src, dst, typeSize: 110, blockSize: 256) { b, y in
            let d = f16At(b, 108)
            for i in 0..<16 {
                let low = (b.load(fromByteOffset: 96 + i % 8, as: UInt8.self) >> (4 * (i / 8))) & 0x0F
                let high = (b.load(fromByteOffset: 104 + i % 4, as: UInt8.self) >> (2 * (i / 4))) & 0x03
                let dl = d * Float(Int8(low | high << 4) - 32)
                for e in (16 * i)..<(16 * i + 16) {
                    let h = e / 128, s = (e / 32) % 4, l = e % 32
                    let ql = (b.load(fromByteOffset: 32 + 32 * h + l, as: UInt8.self) >> (2 * s)) & 3
                    let qh = ((b.load(fromByteOffset: l, as: UInt8.self) >> (e / 32)) & 1) ^ 1
                    y[e] = dl * Float(Int8(ql) - Int8(qh << 2))
                }
            }
        }
    }

    /// The 8 six-bit scales and mins of Q4_K/Q5_K (gguf-py `Q4_K.get_scale_min`), at `offset`.
    @inline(__always) static func scaleMin(_ b: UnsafeRawPointer, _ offset: Int, _ i: Int) -> (UInt8, UInt8) {
        let s = { (k: Int) in b.load(fromByteOffset: offset + k, as: UInt8.self) }
        if i < 4 { return (s(i) & 0x3F, s(4 + i) & 0x3F) }
        let j = i - 4
        return ((s(8 + j) & 0x0F) | ((s(j) >> 2) & 0x30), (s(8 + j) >> 4) | ((s(4 + j) >> 2) & 0x30))
    }

    /// Q4_K: f16 d, f16 dmin, 12 scale bytes, 128 bytes of nibbles; group g = 2c + k covers
    /// elements 32g…, nibble k of byte 32c + l; y = d·sc·q − dmin·m.
    static func q4_K(_ src: UnsafeRawBufferPointer, _ dst: UnsafeMutableBufferPointer<Float>) {
        forEachBlock(src, dst, typeSize: 144, blockSize: 256) { b, y in
            let d = f16At(b, 0), dmin = f16At(b, 2)
            for g in 0..<8 {
                let (sc, m) = scaleMin(b, 4, g)
                let dd = d * Float(sc), dm = dmin * Float(m)
                let c = g / 2, shift = 4 * (g % 2)
                for l in 0..<32 {
                    let q = (b.load(fromByteOffset: 16 + 32 * c + l, as: UInt8.self) >> shift) & 0x0F
                    y[32 * g + l] = dd * Float(q) - dm
                }
            }
        }
    }

    /// Q5_K: as Q4_K plus 32 bytes of fifth bits (bit g of byte l) before the nibbles.
    static func q5_K(_ src: UnsafeRawBufferPointer, _ dst: UnsafeMutableBufferPointer<Float>) {
        forEachBlock(src, dst, typeSize: 176, blockSize: 256) { b, y in
            let d = f16At(b, 0), dmin = f16At(b, 2)
            for g in 0..<8 {
                let (sc, m) = scaleMin(b, 4, g)
                let dd = d * Float(sc), dm = dmin * Float(m)
                let c = g / 2, shift = 4 * (g % 2)
                for l in 0..<32 {
                    let ql = (b.load(fromByteOffset: 48 + 32 * c + l, as: UInt8.self) >> shift) & 0x0F
                    let qh = (b.load(fromByteOffset: 16 + l, as: UInt8.self) >> g) & 1
                    y[32 * g + l] = dd * Float(ql | qh << 4) - dm
                }
            }
        }
    }

    /// Q6_K: 128 bytes of low nibbles, 64 bytes of high 2-bit pairs, 16 int8 scales, f16 d.
    static func q6_K(_ src: UnsafeRawBufferPointer, _ dst: UnsafeMutableBufferPointer<Float>) {
        forEachBlock(src, dst, typeSize: 210, blockSize: 256) { b, y in
            let d = f16At(b, 208)
            for e in 0..<256 {
                let h = e / 128
                let ql = (b.load(fromByteOffset: 64 * h + e % 64, as: UInt8.self) >> (4 * ((e / 64) % 2))) & 0x0F
                let qh = (b.load(fromByteOffset: 128 + 32 * h + e % 32, as: UInt8.self) >> (2 * ((e / 32) % 4))) & 3
                let scale = Float(b.load(fromByteOffset: 192 + e / 16, as: Int8.self))
                y[e] = (d * scale) * Float(Int8(ql | qh << 4) - 32)
            }
        }
    }

    /// Q8_K (ggml `dequantize_row_q8_K`): f32 d, 256 int8 q, 16 int16 block sums (unused).
    static func q8_K(_ src: UnsafeRawBufferPointer, _ dst: UnsafeMutableBufferPointer<Float>) {
        forEachBlock(src, dst, typeSize: 292, blockSize: 256) { b, y in
            let d = Float(bitPattern: u32At(b, 0))
            for j in 0..<256 { y[j] = d * Float(b.load(fromByteOffset: 4 + j, as: Int8.self)) }
        }
    }

    /// IQ4_XS: f16 d, u16 of high scale bits, 4 bytes of low scale nibbles, 128 bytes of
    /// nibbles indexing the IQ4_NL table; 8 groups of 32, y = d·(scale − 32)·kvalues[q].
    static func iq4_xs(_ src: UnsafeRawBufferPointer, _ dst: UnsafeMutableBufferPointer<Float>) {
        let kv = GGMLGrids.iq4nl
        kv.withUnsafeBufferPointer { kv in
            forEachBlock(src, dst, typeSize: 136, blockSize: 256) { b, y in
                let d = f16At(b, 0), high = u16At(b, 2)
                for g in 0..<8 {
                    let low = (b.load(fromByteOffset: 4 + g / 2, as: UInt8.self) >> (4 * (g % 2))) & 0x0F
                    let hi = UInt8(truncatingIfNeeded: high >> (2 * g)) & 0x03
                    let dl = d * Float(Int8(low | hi << 4) - 32)
                    for l in 0..<16 {
                        let q = b.load(fromByteOffset: 8 + 16 * g + l, as: UInt8.self)
                        y[32 * g + l] = dl * kv[Int(q & 0x0F)]
                        y[32 * g + 16 + l] = dl * kv[Int(q >> 4)]
                    }
                }
            }
        }
    }
}
