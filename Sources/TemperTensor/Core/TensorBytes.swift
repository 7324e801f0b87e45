import Foundation

/// Floating-point encodings a tensor can be read from and written back to (little-endian).
public enum TensorDType: String, Sendable, CaseIterable {
    case f32 = "F32", f16 = "F16", bf16 = "BF16"

    public var byteSize: Int { self == .f32 ? 4 : 2 }
}

/// Bit-exact conversions between f32 and the 16-bit formats, round-to-nearest-even.
public enum HalfConversion {
    /// bf16 → f32 is exact.
    @inline(__always)
    public static func bf16ToFloat(_ bits: UInt16) -> Float { Float(bitPattern: UInt32(bits) << 16) }

    /// f32 → bf16 as PyTorch: round to nearest even, NaN → 0x7FC0.
    @inline(__always)
    public static func floatToBF16(_ value: Float) -> UInt16 {
        if value.isNaN { return 0x7FC0 }
        let bits = value.bitPattern
        let rounding = ((bits >> 16) & 1) &+ 0x7FFF
        return UInt16(truncatingIfNeeded: (bits &+ rounding) >> 16)
    }

    /// IEEE binary16 → f32 (exact; subnormals, infinities and NaN payloads kept).
    @inline(__always)
    public static func f16ToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = UInt32(h >> 10) & 0x1F
        var mantissa = UInt32(h & 0x3FF)
        if exponent == 0x1F { return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13)) }
        if exponent != 0 { return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13)) }
        if mantissa == 0 { return Float(bitPattern: sign) }
        // Subnormal: normalise.
        var e: UInt32 = 113
        while mantissa & 0x400 == 0 { mantissa <<= 1; e -= 1 }
        return Float(bitPattern: sign | (e << 23) | ((mantissa & 0x3FF) << 13))
    }

    /// f32 → IEEE binary16, round to nearest even (overflow → ±∞, NaN stays NaN).
    @inline(__always)
    public static func floatToF16(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16((bits >> 16) & 0x8000)
        let exponent = Int((bits >> 23) & 0xFF)
        let mantissa = bits & 0x7F_FFFF
        if exponent == 0xFF {
            return sign | 0x7C00 | (mantissa != 0 ? UInt16(0x200 | (mantissa >> 13)) : 0)
        }
        let e = exponent - 127 + 15
        if e >= 0x1F { return sign | 0x7C00 }
        if e <= 0 {
            if e < -10 { return sign } // below half the smallest subnormal
            let full = mantissa | 0x80_0000
            let shift = UInt32(14 - e)
            var half = full >> shift
            let remainder = full & ((1 << shift) - 1)
            let halfway = UInt32(1) << (shift - 1)
            if remainder > halfway || (remainder == halfway && half & 1 == 1) { half += 1 }
            return sign | UInt16(half)
        }
        var half = UInt32(e) << 10 | (mantissa >> 13)
        let remainder = mantissa & 0x1FFF
        if remainder > 0x1000 || (remainder == 0x1000 && half & 1 == 1) { half += 1 } // may carry into ∞, as it should
        return sign | UInt16(half)
    }
}

extension Tensor {
    /// Decodes little-endian `dtype` elements into an f32 tensor of `shape`.
    public convenience init(bytes: UnsafeRawBufferPointer, dtype: TensorDType, shape: [Int]) throws {
        let count = try Shape.checkedCount(shape, op: "Tensor(bytes:) \(dtype.rawValue)")
        let (expected, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow, bytes.count == expected else {
            throw TensorError.countMismatch(op: "Tensor(bytes:) \(dtype.rawValue) \(shape)", expected: overflow ? Int.max : expected, actual: bytes.count)
        }
        let storage = TensorStorage(uninitializedCount: count)
        let p = storage.pointer
        switch dtype {
        case .f32:
            for i in 0..<count { p[i] = Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        case .f16:
            for i in 0..<count { p[i] = HalfConversion.f16ToFloat(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
        case .bf16:
            for i in 0..<count { p[i] = HalfConversion.bf16ToFloat(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
        }
        self.init(storage: storage, shape: shape)
    }

    /// Decodes from any contiguous byte container (Data, [UInt8]).
    public convenience init<Bytes: ContiguousBytes>(bytes: Bytes, dtype: TensorDType, shape: [Int]) throws {
        let storage = try bytes.withUnsafeBytes { try Tensor(bytes: $0, dtype: dtype, shape: shape).storage }
        self.init(storage: storage, shape: shape)
    }

    /// The elements encoded as little-endian `dtype` (round-to-nearest-even for 16-bit types).
    public func data(as dtype: TensorDType) -> Data {
        var data = Data(count: count * dtype.byteSize)
        data.withUnsafeMutableBytes { raw in
            let p = storage.pointer
            switch dtype {
            case .f32:
                for i in 0..<count { raw.storeBytes(of: p[i].bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self) }
            case .f16:
                for i in 0..<count { raw.storeBytes(of: HalfConversion.floatToF16(p[i]).littleEndian, toByteOffset: 2 * i, as: UInt16.self) }
            case .bf16:
                for i in 0..<count { raw.storeBytes(of: HalfConversion.floatToBF16(p[i]).littleEndian, toByteOffset: 2 * i, as: UInt16.self) }
            }
        }
        return data
    }
}
