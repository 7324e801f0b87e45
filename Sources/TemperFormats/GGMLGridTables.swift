/// The i-quant lookup tables, decoded on first use from the packed strings in
/// GGMLGrids.swift (generated from gguf-py). Decoding follows gguf-py `init_grid`: each pair
/// of hex digits is a byte holding `8 / bits` indices of `bits` bits, low bits first, and
/// each index picks one of `values`.
enum GGMLGrids {
    struct Grid: Sendable {
        let rows: Int
        let columns: Int
        /// rows × columns values, row-major, as f32 (what gguf-py multiplies with).
        let table: [Float]

        init(rows: Int, columns: Int, values: [Float], hex: String) {
            self.rows = rows; self.columns = columns
            var bits = 1
            while (1 << bits) < values.count { bits += 1 }
            let perByte = 8 / bits, step = 8 / perByte, mask = (1 << bits) - 1
            var out: [Float] = []
            out.reserveCapacity(rows * columns)
            for byte in GGMLGrids.hexBytes(hex) {
                for k in 0..<perByte { out.append(values[(Int(byte) >> (k * step)) & mask]) }
            }
            table = out
        }
    }

    /// The 128 sign patterns of IQ2/IQ3 (`ksigns_iq2xs`).
    static let ksigns: [UInt8] = hexBytes(ksignsHex)

    /// IQ4_NL / IQ4_XS non-linear values (`kvalues_iq4nl`).
    static let iq4nl: [Float] = [-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113]
    /// MXFP4 and NVFP4 E2M1 values, doubled (`kvalues_mxfp4`).
    static let e2m1: [Float] = [0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12]

    /// Bytes of a hex string, line breaks and spaces skipped (gguf-py's digit rule:
    /// anything above 0x40 is a letter).
    static func hexBytes(_ hex: String) -> [UInt8] {
        let u = hex.utf8.filter { $0 != 0x0A && $0 != 0x20 }
        func nibble(_ c: UInt8) -> UInt8 { (c > 0x40 ? c &+ 9 : c) & 0x0F }
        return stride(from: 0, to: u.count - 1, by: 2).map { nibble(u[$0]) << 4 | nibble(u[$0 + 1]) }
    }
}
