import CTemperKernels
import Foundation

/// GGUF tensor payloads from f32 values and back: Q8_0 and Q4_0 block quantization and the
/// F32/F16/BF16 element types. Every formula replicates gguf-py `quants.py` operation by
/// operation in f32, so the bytes are identical to gguf-py's for the same input (see
/// Formats/gguf.md for the formulas; NaN payload bits are the one thing not promised).
public enum Quantize {
    public static let q8_0BlockBytes = 34
    public static let q4_0BlockBytes = 18
    public static let blockSize = 32

    /// The types `decode` handles.
    public static var supportedTypes: [GGMLType] { GGMLDequantize.supportedTypes }
    /// The types `encode` writes: the plain float types and every `BlockQuantizer` type.
    public static let encodableTypes: [GGMLType] = [.f32, .f16, .bf16] + BlockQuantizer.types

    /// Encodes row-major f32 values whose innermost dimension is `rowLength` as `type`.
    public static func encode(_ values: UnsafeBufferPointer<Float>, as type: GGMLType, rowLength: Int,
                              tensor: String = "") throws -> [UInt8] {
        try checkShape(count: values.count, rowLength: rowLength, type: type, tensor: tensor)
        let n = values.count
        guard let bytes = type.byteCount(elements: UInt64(n)) else {
            throw FormatError.invalidBlockShape(path: "", tensor: tensor, shape: [n], blockSize: type.blockSize)
        }
        if type == .q8_0 {
            // Every byte of every block is written: skip zero-filling the output first.
            return [UInt8](unsafeUninitializedCapacity: Int(bytes)) { buffer, count in
                quantizeQ8_0(values, into: UnsafeMutableRawBufferPointer(buffer))
                count = Int(bytes)
            }
        }
        var out = [UInt8](repeating: 0, count: Int(bytes))
        out.withUnsafeMutableBytes { dst in
            switch type {
            case .f32: _ = dst.initializeMemory(as: UInt8.self, from: UnsafeRawBufferPointer(values))
            case .f16: convert(values, dst, f16Bits)
            case .bf16: convert(values, dst, bf16Bits)
            default: BlockQuantizer.quantize(values, as: type, into: dst)
            }
        }
        return out
    }

    public static func encode(_ values: [Float], as type: GGMLType, rowLength: Int, tensor: String = "") throws -> [UInt8] {
        try values.withUnsafeBufferPointer { try encode($0, as: type, rowLength: rowLength, tensor: tensor) }
    }

    /// Decodes a payload of `type` holding `count` elements back to f32 (every type
    /// `GGMLDequantize` reads, bit-exactly as gguf-py).
    public static func decode(_ bytes: UnsafeRawBufferPointer, as type: GGMLType, count: Int, tensor: String = "") throws -> [Float] {
        guard count >= 0 else {
            throw FormatError.byteLengthMismatch(path: "", tensor: tensor, shape: [count], dtype: type.name, expected: 0, actual: UInt64(bytes.count))
        }
        return try GGMLDequantize.decode(bytes, as: type, count: count, tensor: tensor)
    }

    // MARK: - Element types

    /// f32 → IEEE half, round to nearest even (what numpy's `astype(float16)` does).
    @inline(__always) public static func f16Bits(_ x: Float) -> UInt16 { Float16(x).bitPattern }

    /// f32 → bfloat16 as gguf-py `BF16.quantize_blocks` (= ggml `ggml_compute_fp32_to_bf16`):
    /// NaNs are forced quiet, everything else rounds to nearest even.
    @inline(__always) public static func bf16Bits(_ x: Float) -> UInt16 {
        var n = x.bitPattern
        if n & 0x7fff_ffff > 0x7f80_0000 { n = (n & 0xffff_0000) | (64 << 16) }
        return UInt16(truncatingIfNeeded: (UInt64(n) + UInt64(0x7fff + ((n >> 16) & 1))) >> 16)
    }

    // MARK: - Q8_0: per 32 values, f16 d = max|x|/127, then 32 × int8 round-half-away(x/d)

    /// Whether this CPU runs the AVX2/F16C Q8_0 kernel (`Sources/CTemperKernels`); both
    /// paths write the same bytes.
    public static let q8_0HasSIMD = temper_cpu_has_avx2_f16c() != 0

    /// `simd: false` forces the portable Swift path (tests compare the two).
    public static func quantizeQ8_0(_ src: UnsafeBufferPointer<Float>, into dst: UnsafeMutableRawBufferPointer, simd: Bool = true) {
        let blocks = min(src.count / blockSize, dst.count / q8_0BlockBytes)
        guard let s = src.baseAddress, let d = dst.baseAddress else { return }
        let sp = SendableAddress(UnsafeMutableRawPointer(mutating: s)), dp = SendableAddress(d)
        let vector = simd && q8_0HasSIMD
        parallel(blocks) { range in
            let s = sp.raw.assumingMemoryBound(to: Float.self), d = dp.raw.assumingMemoryBound(to: UInt8.self)
            var b = range.lowerBound
            while b < range.upperBound {
                if vector {
                    // The kernel stops before a block with NaN, infinities or a tiny scale.
                    b += temper_q8_0_quantize_avx2(s + b * blockSize, d + b * q8_0BlockBytes, range.upperBound - b)
                    guard b < range.upperBound else { break }
                }
                q8_0Block(s + b * blockSize, d + b * q8_0BlockBytes)
                b += 1
            }
        }
    }

    @inline(__always) static func q8_0Block(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer) {
        // max|x| and a probe that is NaN exactly when some x is NaN or infinite (x·0 = NaN).
        let raw = UnsafeRawPointer(x)
        var m = SIMD8<UInt32>(repeating: 0)
        var probe = SIMD8<Float>(repeating: 0)
        for k in 0..<4 {
            let v = raw.loadUnaligned(fromByteOffset: 32 * k, as: SIMD8<Float>.self)
            // For non-negative floats, the bit patterns order like the values.
            m = pointwiseMax(m, unsafeBitCast(v, to: SIMD8<UInt32>.self) & 0x7fff_ffff)
            probe += v * 0
        }
        let amax = Float(bitPattern: m.max())
        let d = amax / 127
        // Blocks with NaN, infinities or a subnormal scale take the exact scalar path.
        guard probe.sum() == 0, amax == 0 || d >= .leastNormalMagnitude else { q8_0BlockExact(x, out); return }
        let id: Float = d == 0 ? 0 : 1 / d
        out.storeBytes(of: f16Bits(d).littleEndian, toByteOffset: 0, as: UInt16.self)
        let q = (out + 2).assumingMemoryBound(to: UInt8.self)
        for j in 0..<blockSize { q[j] = roundHalfAwayLowByte(x[j] * id) }
    }

    /// np_roundf then `astype(int8)`, exact for |v| < 2^22 and free of float→int
    /// instructions so loops vectorize: floor(|v| + 0.5) (0 below 0.5, where the sum may
    /// round up), the sign restored, and the integer read from the bits of r + 1.5·2^23.
    @inline(__always) static func roundHalfAwayLowByte(_ v: Float) -> UInt8 {
        let a = Float(bitPattern: v.bitPattern & 0x7fff_ffff)
        let y = a + 0.5
        let f = (y + 8_388_608) - 8_388_608            // y rounded to an integer (ties to even)
        var n = f > y ? f - 1 : f                      // floor(y)
        n = a < 0.5 ? 0 : n
        let r = v < 0 ? -n : n
        return UInt8(truncatingIfNeeded: (r + 12_582_912).bitPattern &- 0x4B40_0000)
    }

    /// The operation-by-operation scalar version; handles NaN, infinities and tiny scales.
    static func q8_0BlockExact(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer) {
        var amax: Float = 0
        var sawNaN = false
        for j in 0..<blockSize {
            let a = abs(x[j])
            sawNaN = sawNaN || a.isNaN
            amax = a > amax ? a : amax
        }
        if sawNaN { amax = .nan }              // numpy's max propagates NaN
        let d = amax / 127
        let id: Float = d == 0 ? 0 : 1 / d
        out.storeBytes(of: f16Bits(d).littleEndian, toByteOffset: 0, as: UInt16.self)
        let q = out + 2
        for j in 0..<blockSize {
            // numpy: np_roundf = sign(v)·(floor|v| + floor(2·frac|v|)) = round half away from zero
            let v = (x[j] * id).rounded(.toNearestOrAwayFromZero)
            q.storeBytes(of: castLowByte(v), toByteOffset: j, as: UInt8.self)
        }
    }

    public static func dequantizeQ8_0(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableBufferPointer<Float>) {
        let blocks = min(src.count / q8_0BlockBytes, dst.count / blockSize)
        for b in 0..<blocks {
            let base = b * q8_0BlockBytes
            let d = Float(Float16(bitPattern: load16(src, base)))
            for j in 0..<blockSize {
                dst[b * blockSize + j] = Float(Int8(bitPattern: src[base + 2 + j])) * d
            }
        }
    }

    // MARK: - Q4_0: per 32 values, f16 d = (value of largest magnitude)/−8, 4-bit q = min(15, trunc(x/d + 8.5))

    public static func quantizeQ4_0(_ src: UnsafeBufferPointer<Float>, into dst: UnsafeMutableRawBufferPointer) {
        let blocks = min(src.count / blockSize, dst.count / q4_0BlockBytes)
        guard let s = src.baseAddress, let d = dst.baseAddress else { return }
        let sp = SendableAddress(UnsafeMutableRawPointer(mutating: s)), dp = SendableAddress(d)
        parallel(blocks) { range in
            let s = sp.raw.assumingMemoryBound(to: Float.self), d = dp.raw
            for b in range { q4_0Block(s + b * blockSize, d + b * q4_0BlockBytes) }
        }
    }

    @inline(__always) static func q4_0Block(_ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer) {
        // numpy argmax of |x|: first index of the largest, or of the first NaN.
        var imax = 0
        var best: Float = -1
        for j in 0..<blockSize {
            let a = abs(x[j])
            if a.isNaN { imax = j; break }
            if a > best { best = a; imax = j }
        }
        let d = x[imax] / -8
        let id: Float = d == 0 ? 0 : 1 / d
        out.storeBytes(of: f16Bits(d).littleEndian, toByteOffset: 0, as: UInt16.self)
        let half = blockSize / 2
        for j in 0..<half {
            let lo = min(castLowByte((x[j] * id + 8.5).rounded(.towardZero)), 15)
            let hi = min(castLowByte((x[j + half] * id + 8.5).rounded(.towardZero)), 15)
            out.storeBytes(of: lo | (hi << 4), toByteOffset: 2 + j, as: UInt8.self)
        }
    }

    public static func dequantizeQ4_0(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableBufferPointer<Float>) {
        let blocks = min(src.count / q4_0BlockBytes, dst.count / blockSize)
        let half = blockSize / 2
        for b in 0..<blocks {
            let base = b * q4_0BlockBytes
            let d = Float(Float16(bitPattern: load16(src, base)))
            for j in 0..<half {
                let byte = src[base + 2 + j]
                dst[b * blockSize + j] = d * Float(Int8(byte & 0x0f) - 8)
                dst[b * blockSize + j + half] = d * Float(Int8(byte >> 4) - 8)
            }
        }
    }

    // MARK: - Helpers

    /// numpy's float → int8/uint8 `astype` on x86-64: convert to int32 with truncation
    /// (NaN and out-of-range give 0x80000000), keep the low byte.
    @inline(__always) static func castLowByte(_ v: Float) -> UInt8 {
        guard v > -2_147_483_648.0, v < 2_147_483_648.0 else { return 0 }   // also NaN
        return UInt8(truncatingIfNeeded: Int32(v))
    }

    @inline(__always) static func load16(_ b: UnsafeRawBufferPointer, _ offset: Int) -> UInt16 {
        UInt16(littleEndian: b.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    static func convert(_ src: UnsafeBufferPointer<Float>, _ dst: UnsafeMutableRawBufferPointer, _ f: (Float) -> UInt16) {
        for i in 0..<min(src.count, dst.count / 2) {
            dst.storeBytes(of: f(src[i]).littleEndian, toByteOffset: 2 * i, as: UInt16.self)
        }
    }

    static func checkShape(count: Int, rowLength: Int, type: GGMLType, tensor: String) throws {
        guard encodableTypes.contains(type) else {
            throw FormatError.unsupportedConversion(tensor: tensor, from: "F32", to: type.name)
        }
        guard rowLength > 0, count % rowLength == 0, rowLength % type.blockSize == 0 else {
            throw FormatError.invalidBlockShape(path: "", tensor: tensor, shape: [rowLength == 0 ? 0 : count / max(rowLength, 1), rowLength],
                                                blockSize: type.blockSize)
        }
    }

    /// Splits `count` blocks over the cores when there are at least `grain` per task.
    static func parallel(_ count: Int, grain: Int = 8192, _ body: @Sendable (Range<Int>) -> Void) {
        let tasks = min(ProcessInfo.processInfo.activeProcessorCount, count / max(grain, 1))
        if tasks <= 1 { body(0..<count); return }
        let chunk = (count + tasks - 1) / tasks
        DispatchQueue.concurrentPerform(iterations: tasks) { t in
            let lo = t * chunk, hi = min(count, lo + chunk)
            if lo < hi { body(lo..<hi) }
        }
    }
}

/// Carries a pointer into `concurrentPerform`; each task touches a disjoint range.
struct SendableAddress: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer
    init(_ p: UnsafeMutableRawPointer) { raw = p }
}
