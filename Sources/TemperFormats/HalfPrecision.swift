import Foundation

/// Float conversions bit-identical to PyTorch's CPU `tensor.to(dtype)`:
/// - f32 → f16: round to nearest even; overflow → ±inf; NaN keeps sign and the top 10
///   payload bits with the quiet bit set (`sign | 0x7E00 | mantissa >> 13`).
/// - f32 → bf16: round to nearest even; every NaN → 0x7FC0 (c10's scalar rule; torch's
///   AVX2/AVX-512 kernels write 0xFFFF instead, so fixtures are made with the default kernel).
/// - f16 → f32: exact; NaN keeps sign and payload with the quiet bit set (what torch's
///   vectorised kernel and the hardware do; torch's scalar tail loop writes 0x7FFFFFFF instead).
///   bf16 → f32: exact (bits << 16).
/// - f64 → f32: IEEE round to nearest even (the hardware conversion torch also uses).
/// - F8_E4M3 / F8_E5M2 / F8_E8M0 → f32: exact, via 256-entry tables (see `f8Table`).
/// All buffers are little-endian raw bytes; unaligned input is fine.
public enum HalfPrecision {
    // MARK: scalars

    @inline(__always)
    public static func f16Bits(fromFloat value: Float) -> UInt16 {
        var bits = value.bitPattern
        let sign = UInt16(truncatingIfNeeded: (bits >> 16) & 0x8000)
        bits &= 0x7FFF_FFFF
        if bits >= 0x4780_0000 {  // ≥ 65536, inf or NaN: all f16 exponent bits set
            if bits > 0x7F80_0000 { return sign | 0x7E00 | UInt16(truncatingIfNeeded: (bits >> 13) & 0x3FF) }
            return sign | 0x7C00
        }
        if bits < 0x3880_0000 {  // below 2^-14: f16 subnormal or zero
            // Adding 0.5 lines the 10 mantissa bits up at the bottom; the FPU rounds to nearest even.
            let shifted = Float(bitPattern: bits) + 0.5
            return sign | UInt16(truncatingIfNeeded: shifted.bitPattern &- 0x3F00_0000)
        }
        let odd = (bits >> 13) & 1
        bits = bits &+ 0xC800_0FFF &+ odd  // rebias exponent (−112 << 23) and add the rounding bias
        return sign | UInt16(truncatingIfNeeded: bits >> 13)
    }

    @inline(__always)
    public static func float(fromF16Bits h: UInt16) -> Float {
        let magnitude = UInt32(h & 0x7FFF) << 13
        let exponent = magnitude & 0x0F80_0000
        if exponent == 0x0F80_0000 {  // inf or NaN
            let quiet: UInt32 = magnitude == 0x0F80_0000 ? 0 : 0x0040_0000
            return Float(bitPattern: UInt32(h & 0x8000) << 16 | 0x7F80_0000 | quiet | (magnitude & 0x007F_FFFF))
        }
        var bits = magnitude &+ 0x3800_0000  // rebias exponent (+112 << 23)
        if exponent == 0 {  // zero or subnormal: renormalise exactly with one float subtraction
            bits &+= 0x0080_0000
            bits = (Float(bitPattern: bits) - Float(bitPattern: 0x3880_0000)).bitPattern
        }
        return Float(bitPattern: bits | UInt32(h & 0x8000) << 16)
    }

    @inline(__always)
    public static func bf16Bits(fromFloat value: Float) -> UInt16 {
        if value.isNaN { return 0x7FC0 }
        let bits = value.bitPattern
        return UInt16(truncatingIfNeeded: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
    }

    @inline(__always)
    public static func float(fromBF16Bits b: UInt16) -> Float { Float(bitPattern: UInt32(b) << 16) }

    // MARK: buffers

    /// Dtypes `toFloat32` accepts.
    public static let readableTypes: Set<DType> = [.f64, .f32, .f16, .bf16, .f8e4m3, .f8e5m2, .f8e8m0]
    /// Dtypes `fromFloat32` and `convert` can produce.
    public static let writableTypes: Set<DType> = [.f32, .f16, .bf16]

    private static func elementCount(_ bytes: UnsafeRawBufferPointer, _ dtype: DType, _ tensor: String) throws -> Int {
        guard bytes.count % dtype.size == 0 else {
            throw FormatError.invalidShape(path: "", tensor: tensor, reason: "\(bytes.count) bytes is not a whole number of \(dtype.rawValue) elements")
        }
        return bytes.count / dtype.size
    }

    /// Decodes raw little-endian bytes of any float dtype into `out` (count = elements).
    public static func toFloat32(_ bytes: UnsafeRawBufferPointer, dtype: DType, into out: UnsafeMutableBufferPointer<Float>, tensor: String = "") throws {
        guard readableTypes.contains(dtype) else { throw FormatError.unsupportedConversion(tensor: tensor, from: dtype.rawValue, to: "F32") }
        let n = try elementCount(bytes, dtype, tensor)
        guard out.count == n else {
            throw FormatError.invalidShape(path: "", tensor: tensor, reason: "output holds \(out.count) values, input has \(n)")
        }
        switch dtype {
        case .f32: for i in 0..<n { out[i] = Float(bitPattern: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)) }
        case .f64: for i in 0..<n { out[i] = Float(Double(bitPattern: bytes.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))) }
        case .f16: for i in 0..<n { out[i] = float(fromF16Bits: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) }
        case .bf16: for i in 0..<n { out[i] = float(fromBF16Bits: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) }
        default:
            let table = f8Table(dtype)
            table.withUnsafeBufferPointer { t in for i in 0..<n { out[i] = t[Int(bytes[i])] } }
        }
    }

    /// Decodes raw little-endian bytes of any float dtype into a new array.
    public static func toFloat32(_ bytes: UnsafeRawBufferPointer, dtype: DType, tensor: String = "") throws -> [Float] {
        guard readableTypes.contains(dtype) else { throw FormatError.unsupportedConversion(tensor: tensor, from: dtype.rawValue, to: "F32") }
        let n = try elementCount(bytes, dtype, tensor)
        return try [Float](unsafeUninitializedCapacity: n) { buffer, initialized in
            try toFloat32(bytes, dtype: dtype, into: UnsafeMutableBufferPointer(rebasing: buffer[0..<n]), tensor: tensor)
            initialized = n
        }
    }

    /// Encodes f32 values as little-endian bytes of `dtype` (F32, F16 or BF16).
    public static func fromFloat32(_ values: UnsafeBufferPointer<Float>, to dtype: DType, tensor: String = "") throws -> [UInt8] {
        guard writableTypes.contains(dtype) else { throw FormatError.unsupportedConversion(tensor: tensor, from: "F32", to: dtype.rawValue) }
        let n = values.count
        let (byteCount, overflow) = n.multipliedReportingOverflow(by: dtype.size)
        guard !overflow else { throw FormatError.invalidShape(path: "", tensor: tensor, reason: "\(n) elements overflow") }
        return [UInt8](unsafeUninitializedCapacity: byteCount) { buffer, initialized in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            switch dtype {
            case .f16: for i in 0..<n { raw.storeBytes(of: f16Bits(fromFloat: values[i]), toByteOffset: 2 * i, as: UInt16.self) }
            case .bf16: for i in 0..<n { raw.storeBytes(of: bf16Bits(fromFloat: values[i]), toByteOffset: 2 * i, as: UInt16.self) }
            default: for i in 0..<n { raw.storeBytes(of: values[i].bitPattern, toByteOffset: 4 * i, as: UInt32.self) }
            }
            initialized = byteCount
        }
    }

    /// Converts raw bytes between float dtypes. Targets F32/F16/BF16 go through f32 (as torch
    /// does for half types); a same-type conversion is a copy.
    public static func convert(_ bytes: UnsafeRawBufferPointer, from source: DType, to target: DType, tensor: String = "") throws -> [UInt8] {
        if source == target, readableTypes.contains(source) { return [UInt8](bytes) }
        guard writableTypes.contains(target) else { throw FormatError.unsupportedConversion(tensor: tensor, from: source.rawValue, to: target.rawValue) }
        let n = try elementCount(bytes, source, tensor)
        // Convert in blocks through a small f32 scratch buffer to stay in cache.
        let block = 16_384
        let scratch = UnsafeMutableBufferPointer<Float>.allocate(capacity: Swift.min(block, Swift.max(n, 1)))
        defer { scratch.deallocate() }
        var out: [UInt8] = []
        out.reserveCapacity(n * target.size)
        var start = 0
        while start < n {
            let count = Swift.min(block, n - start)
            let slice = UnsafeRawBufferPointer(rebasing: bytes[(start * source.size)..<((start + count) * source.size)])
            let floats = UnsafeMutableBufferPointer(rebasing: scratch[0..<count])
            try toFloat32(slice, dtype: source, into: floats, tensor: tensor)
            out.append(contentsOf: try fromFloat32(UnsafeBufferPointer(floats), to: target, tensor: tensor))
            start += count
        }
        return out
    }

    // MARK: 8-bit floats

    private static let e4m3: [Float] = (0..<256).map { e4m3Value(UInt8($0)) }
    private static let e5m2: [Float] = (0..<256).map { float(fromF16Bits: UInt16($0) << 8) }
    private static let e8m0: [Float] = (0..<256).map {
        $0 == 255 ? Float(bitPattern: 0x7F80_0001) : Float(sign: .plus, exponent: $0 - 127, significand: 1)
    }

    /// Value table for an 8-bit float dtype, NaN bit patterns included, as torch converts:
    /// E4M3 is the "fn" variant (no infinities; S.1111.111 is NaN → sign | 0x7FF00000);
    /// E5M2 is f16's top byte (NaN payloads kept, quiet bit set); E8M0 is 2^(e−127) with
    /// 0xFF → 0x7F800001.
    public static func f8Table(_ dtype: DType) -> [Float] {
        switch dtype {
        case .f8e4m3: return e4m3
        case .f8e5m2: return e5m2
        default: return e8m0
        }
    }

    private static func e4m3Value(_ byte: UInt8) -> Float {
        let sign = UInt32(byte & 0x80) << 24
        let exponent = Int(byte >> 3) & 0xF
        let mantissa = Int(byte) & 0x7
        if exponent == 0xF, mantissa == 0x7 { return Float(bitPattern: sign | 0x7FF0_0000) }
        let magnitude: Float = exponent == 0
            ? Float(mantissa) * Float(sign: .plus, exponent: -9, significand: 1)
            : Float(sign: .plus, exponent: exponent - 7, significand: 1 + Float(mantissa) / 8)
        return Float(bitPattern: magnitude.bitPattern | sign)
    }

}
