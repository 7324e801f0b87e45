import TemperFormats

/// Reads little-endian elements of a dtype as Double, for numeric comparisons.
/// bf16 is the upper half of an f32; f16 goes through Swift's Float16 where the platform
/// has it. Types without a numeric reading here (F8 variants, C64) return nil.
enum ElementDecoder {
    static func canDecode(_ dtype: DType) -> Bool {
        switch dtype {
        case .f8e4m3, .f8e5m2, .f8e8m0, .c64: return false
        default: return true
        }
    }

    /// Decodes `count` elements from `bytes` (at least `count * dtype.size` bytes) into `out`.
    static func decode(_ dtype: DType, _ bytes: UnsafeRawBufferPointer, count: Int, into out: UnsafeMutablePointer<Double>) {
        switch dtype {
        case .f64: for i in 0..<count { out[i] = Double(bitPattern: bytes.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self).littleEndian) }
        case .f32: for i in 0..<count { out[i] = Double(Float(bitPattern: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self).littleEndian)) }
        case .bf16:
            for i in 0..<count {
                let bits = UInt32(bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self).littleEndian) << 16
                out[i] = Double(Float(bitPattern: bits))
            }
        case .f16: for i in 0..<count { out[i] = half(bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self).littleEndian) }
        case .i64: for i in 0..<count { out[i] = Double(Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))) }
        case .u64: for i in 0..<count { out[i] = Double(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))) }
        case .i32: for i in 0..<count { out[i] = Double(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))) }
        case .u32: for i in 0..<count { out[i] = Double(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        case .i16: for i in 0..<count { out[i] = Double(Int16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self))) }
        case .u16: for i in 0..<count { out[i] = Double(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
        case .i8: for i in 0..<count { out[i] = Double(Int8(bitPattern: bytes[i])) }
        case .u8, .bool: for i in 0..<count { out[i] = Double(bytes[i]) }
        case .f8e4m3, .f8e5m2, .f8e8m0, .c64: for i in 0..<count { out[i] = .nan }
        }
    }

    static func half(_ bits: UInt16) -> Double {
        #if !(os(macOS) && arch(x86_64))
        return Double(Float16(bitPattern: bits))
        #else
        // Float16 is unavailable on Intel macOS: decode by hand.
        let sign = bits & 0x8000 != 0 ? -1.0 : 1.0
        let exponent = Int(bits >> 10 & 0x1F), mantissa = Double(bits & 0x3FF)
        if exponent == 0 { return sign * mantissa * 0x1p-24 }
        if exponent == 31 { return mantissa == 0 ? sign * .infinity : .nan }
        return sign * (1 + mantissa / 1024) * Double(sign: .plus, exponent: exponent - 15, significand: 1)
        #endif
    }
}
