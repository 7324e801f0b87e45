/// Dequantization of the i-quants (lattice grids from GGMLGrids.swift), transcribed from
/// gguf-py `dequantize_blocks` with the same f32 operations in the same order. Every grid
/// and sign index is read from a bit field exactly as wide as its table, so none can be out
/// of range. Element e of a block is written where gguf-py's reshapes put it.
enum GGMLIQuantBlocks {
    /// Calls `body` with the grid table and the sign bytes.
    @inline(__always) static func withTables(_ grid: GGMLGrids.Grid,
                                             _ body: (UnsafeBufferPointer<Float>, UnsafeBufferPointer<UInt8>) -> Void) {
        grid.table.withUnsafeBufferPointer { g in GGMLGrids.ksigns.withUnsafeBufferPointer { s in body(g, s) } }
    }

    @inline(__always) static func sign(_ bits: UInt8, _ k: Int) -> Float { (bits >> k) & 1 == 0 ? 1 : -1 }

    /// IQ2_XXS: f16 d, then per 32 elements two u32: four grid bytes (256 × 8 grid), and four
    /// 7-bit sign indices with a 4-bit scale on top.
    static func iq2_xxs(_ src: UnsafeRawBufferPointer, _ dst: UnsafeMutableBufferPointer<Float>) {
        withTables(GGMLGrids.iq2xxs) { grid, ksigns in
            forEachBlock(src, dst, typeSize: 66, blockSize: 256) { b, y in
                let d = f16At(b, 0)
                for ib in 0..<8 {
                    let aux = u32At(b, 2 + 8 * ib + 4)
                    let db = d * (0.5 + Float(aux >> 28)) * 0.25
                    for g in 0..<4 {
                        let row = Int(b.load(fromByteOffset: 2 + 8 * ib + g, as: UInt8.self)) * 8
                        let signs = ksigns[Int((aux >> (7 * g)) & 0x7F)]
                        for k in 0..<8 { y[32 * ib + 8 * g + k] = db * grid[row + k] * sign(signs, k) }
                    }
                }
            }
        }
    }

    /// IQ2_XS: f16 d, 32 u16 (9-bit grid index into 512 × 8, 7-bit sign index), 8 bytes of
    /// 4-bit scales (one per 16 elements).
    static func iq2_xs(_ src: UnsafeRawBufferPointer, _ dst: UnsafeMutableBufferPointer<Float>) {
        withTables(GGMLGrids.iq2xs) { grid, ksigns in
            forEachBlock(src, dst, typeSize: 74, blockSize: 256) { b, y in
                let d = f16At(b, 0)
                for i in 0..<32 {
                    let q = u16At(b, 2 + 2 * i)
                    let scale = (b.load(fromByteOffset: 66 + i / 4, as: UInt8.self) >> (4 * ((i / 2) % 2))) & 0x0F
                    let db = d * (0.5 + Float(scale)) * 0.25
                    let row = Int(q & 511) * 8, signs = ksigns[Int(q >> 9)]
                    for k in 0..<8 { y[8 * i + k] = db * grid[row + k] * sign(signs, k) }
                }
            }
        }
    }

    /// IQ2_S: f16 d, 32 low index bytes, 32 sign bytes, 8 bytes of 2-bit high index parts,
    /// 8 bytes of 4-bit scales; grid 1024 × 8.
    static func iq2_s(_ src: UnsafeRawBufferPointer, _ dst: UnsafeMutableBufferPointer<Float>) {
        withTables(GGMLGrids.iq2s) { grid, _ in
            forEachBlock(src, dst, typeSize: 82, blockSize: 256) { b, y in
                let d = f16At(b, 0)
                for i in 0..<32 {
                    let high = (b.load(fromByteOffset: 66 + i / 4, as: UInt8.self) >> (2 * (i % 4))) & 3
                    let row = (Int(b.load(fromByteOffset: 2 + i, as: UInt8.self)) | Int(high) << 8) * 8
                    let scale = (b.load(fromByteOffset: 74 + i / 4, as: UInt8.self) >> (4 * ((i / 2) % 2))) & 0x0F
                    let db = d * (0.5 + Float(scale)) * 0.25
                    let signs = b.load(fromByteOffset: 34 + i, as: UInt8.self)
                    for k in 0..<8 { y[8 * i + k] = db * grid[row + k] * sign(signs, k) }
                }
            }
        }
    }

    /// IQ3_XXS: f16 d, 64 grid bytes (256 × 4 grid), 8 u32 of four 7-bit sign indices and a
    /// 4-bit scale.
    static func iq3_xxs(_ src: UnsafeRawBufferPointer, _ dst: UnsafeMutableBufferPointer<Float>) {
        withTables(GGMLGrids.iq3xxs) { grid, ksigns in
            forEachBlock(src, dst, typeSize: 98, blockSize: 256) { b, y in
                let d = f16At(b, 0)
                for ib in 0..<8 {
                    let aux = u32At(b, 66 + 4 * ib)
                    let db = d * (0.5 + Float(aux >> 28)) * 0.5
                    for g in 0..<4 {
                        let signs = ksigns[Int((aux >> (7 * g)) & 0x7F)]
                        for k in 0..<8 {
                            let e = 32 * ib + 8 * g + k
                            let row = Int(b.load(fromByteOffset: 2 + e / 4, as: UInt8.self)) * 4
                            y[e] = db * grid[row + e % 4] * sign(signs, k)
                        }
                    }
                }
            }
        }
    }

    /// IQ3_S: f16 d, 64 low index bytes, 8 bytes of ninth index bits, 32 sign bytes, 4 bytes
    /// of 4-bit scales (db = d·(1 + 2·scale)); grid 512 × 4.
    static func iq3_s(_ src: UnsafeRawBufferPointer, _ dst: UnsafeMutableBufferPointer<Float>) {
        withTables(GGMLGrids.iq3s) { grid, _ in
            forEachBlock(src, dst, typeSize: 110, blockSize: 256) { b, y in
                let d = f16At(b, 0)
                for ib in 0..<8 {
                    let scale = (b.load(fromByteOffset: 106 + ib / 2, as: UInt8.self) >> (4 * (ib % 2))) & 0x0F
                    let db = d * Float(1 + 2 * scale)
                    for e in (32 * ib)..<(32 * ib + 32) {
                        let i = e / 4
                        let high = (b.load(fromByteOffset: 66 + i / 8, as: UInt8.self) >> (i % 8)) & 1
                        let row = (Int(b.load(fromByteOffset: 2 + i, as: UInt8.self)) | Int(high) << 8) * 4
                        let signs = b.load(fromByteOffset: 74 + e / 8, as: UInt8.self)
                        y[e] = db * grid[row + e % 4] * sign(signs, e % 8)
                    }
                }
            }
        }
    }

    static let iq1Delta: Float = 0.125

    /// IQ1_S: f16 d, 32 low index bytes, 8 u16 (four 3-bit high index parts, a 3-bit scale,
    /// the delta sign); grid 2048 × 8 of −1/0/1; y = d·(2·scale + 1)·(grid ± 1/8).
    static func iq1_s(_ src: UnsafeRawBufferPointer, _ dst: UnsafeMutableBufferPointer<Float>) {
        withTables(GGMLGrids.iq1s) { grid, _ in
            forEachBlock(src, dst, typeSize: 50, blockSize: 256) { b, y in
                let d = f16At(b, 0)
                for ib in 0..<8 {
                    let qh = u16At(b, 34 + 2 * ib)
                    let dl = d * Float(2 * ((qh >> 12) & 7) + 1)
                    let delta = qh & 0x8000 == 0 ? iq1Delta : -iq1Delta
                    for g in 0..<4 {
                        let row = (Int(b.load(fromByteOffset: 2 + 4 * ib + g, as: UInt8.self)) | Int((qh >> (3 * g)) & 7) << 8) * 8
                        for k in 0..<8 { y[32 * ib + 8 * g + k] = dl * (grid[row + k] + delta) }
                    }
                }
            }
        }
    }

    /// IQ1_M: 32 low index bytes, 16 bytes of (3-bit high index, delta sign) nibbles, 4 u16
    /// of 3-bit scales whose top nibbles together are the f16 d.
    static func iq1_m(_ src: UnsafeRawBufferPointer, _ dst: UnsafeMutableBufferPointer<Float>) {
        withTables(GGMLGrids.iq1s) { grid, _ in
            forEachBlock(src, dst, typeSize: 56, blockSize: 256) { b, y in
                let w = { (j: Int) in u16At(b, 48 + 2 * j) }
                let dBits = (w(0) & 0xF000) >> 12 | (w(1) & 0xF000) >> 8 | (w(2) & 0xF000) >> 4 | (w(3) & 0xF000)
                let d = Float(Float16(bitPattern: dBits))
                for i in 0..<32 {
                    let s = i / 2
                    let dl = d * Float(2 * ((w(s / 4) >> (3 * (s % 4))) & 7) + 1)
                    let nibble = b.load(fromByteOffset: 32 + i / 2, as: UInt8.self) >> (4 * (i % 2))
                    let row = (Int(b.load(fromByteOffset: i, as: UInt8.self)) | Int(nibble & 7) << 8) * 8
                    let delta = nibble & 0x08 == 0 ? iq1Delta : -iq1Delta
                    for k in 0..<8 { y[8 * i + k] = dl * (grid[row + k] + delta) }
                }
            }
        }
    }
}
