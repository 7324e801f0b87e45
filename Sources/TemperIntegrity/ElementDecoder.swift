import TemperFormats

/// Reads little-endian elements of a dtype as Double, for numeric comparisons.
/// Half and 8-bit floats go through TemperFormats' exact conversions (bf16 is the upper
/// half of an f32); C64 has no real reading and returns nil from `canDecode`.
enum ElementDecoder {
    static func canDecode(_ dtype: DType) -> Bool { dtype != .c64 }

    /// Decodes `count` elements from `bytes` (at least `count * dtype.size` bytes) into `out`.
    static func decode(_ dtype: DType, _ bytes: UnsafeRawBufferPointer, count: Int, into out: UnsafeMutablePointer<Double>) {
        switch dtype {
        case .f64: for i in 0..<count { out[i] = Double(bitPattern: bytes.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self).littleEndian) }
        case .f32: for i in 0..<count { out[i] = Double(Float(bitPattern: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self).littleEndian)) }
        case .bf16: for i in 0..<count { out[i] = Double(HalfPrecision.float(fromBF16Bits: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self).littleEndian)) }
        case .f16: for i in 0..<count { out[i] = Double(HalfPrecision.float(fromF16Bits: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self).littleEndian)) }
        case .f8e4m3, .f8e5m2, .f8e8m0:
            let table = HalfPrecision.f8Table(dtype)
            for i in 0..<count { out[i] = Double(table[Int(bytes[i])]) }
        case .i64: for i in 0..<count { out[i] = Double(Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))) }
        case .u64: for i in 0..<count { out[i] = Double(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))) }
        case .i32: for i in 0..<count { out[i] = Double(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))) }
        case .u32: for i in 0..<count { out[i] = Double(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        case .i16: for i in 0..<count { out[i] = Double(Int16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self))) }
        case .u16: for i in 0..<count { out[i] = Double(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
        case .i8: for i in 0..<count { out[i] = Double(Int8(bitPattern: bytes[i])) }
        case .u8, .bool: for i in 0..<count { out[i] = Double(bytes[i]) }
        case .c64: for i in 0..<count { out[i] = .nan }
        }
    }
}
