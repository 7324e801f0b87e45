import Foundation
import Testing
@testable import TemperTensor

@Suite struct TensorBytesTests {
    @Test func halfConversionsMatchTorchBitForBit() throws {
        let ref = try TorchReference.load()
        let values = try ref.floats("dtype.values")
        let f16 = try ref.ints("dtype.f16_bits"), bf16 = try ref.ints("dtype.bf16_bits")
        for (i, v) in values.enumerated() {
            let h = HalfConversion.floatToF16(v), b = HalfConversion.floatToBF16(v)
            if v.isNaN {
                // c10::BFloat16's scalar rule (0x7FC0); torch's AVX-512 path writes 0xFFFF instead.
                #expect(HalfConversion.f16ToFloat(h).isNaN)
                #expect(b == 0x7FC0 && (bf16[i] == 0x7FC0 || bf16[i] == 0xFFFF))
            } else {
                #expect(Int(h) == f16[i], "f16 of \(v): \(h) vs torch \(f16[i])")
                #expect(Int(b) == bf16[i], "bf16 of \(v): \(b) vs torch \(bf16[i])")
            }
        }
    }

    #if !(os(macOS) && arch(x86_64))
    @Test func f16DecodingIsExactForAllBitPatterns() {
        for bits in 0...UInt16.max {
            let mine = HalfConversion.f16ToFloat(bits), swift = Float(Float16(bitPattern: bits))
            if swift.isNaN { #expect(mine.isNaN) } else { #expect(mine.bitPattern == swift.bitPattern, "bits \(bits)") }
            if !swift.isNaN { #expect(HalfConversion.floatToF16(mine) == bits) }
        }
    }

    @Test func f16EncodingMatchesSwiftFloat16() {
        var rng = TensorRNG(seed: 3)
        for _ in 0..<100_000 {
            // Random sign and mantissa, exponents around f16's range (subnormals to overflow).
            let r = rng.next()
            let exponent = UInt32(95 + r % 50) << 23
            let v = Float(bitPattern: UInt32(truncatingIfNeeded: r >> 8) & 0x807F_FFFF | exponent)
            #expect(HalfConversion.floatToF16(v) == Float16(v).bitPattern, "value \(v)")
        }
    }
    #endif

    @Test func bytesRoundTripPerDType() throws {
        let t = try Tensor(shape: [2, 2], values: [1.5, -2.25, 65504, 1e-3])
        for dtype in TensorDType.allCases {
            let data = t.data(as: dtype)
            #expect(data.count == 4 * dtype.byteSize)
            let back = try Tensor(bytes: data, dtype: dtype, shape: [2, 2])
            #expect(back.shape == [2, 2])
            #expect(back.data(as: dtype) == data)
            if dtype == .f32 { #expect(back.toArray() == t.toArray()) }
        }
        let le = try Tensor(bytes: [0x00, 0x00, 0x80, 0x3F] as [UInt8], dtype: .f32, shape: [1])
        #expect(le.toArray() == [1])
        let bf = try Tensor(bytes: [0x80, 0x3F] as [UInt8], dtype: .bf16, shape: [])
        #expect(bf.toArray() == [1])
    }

    @Test func wrongByteCountsThrow() throws {
        #expect(throws: TensorError.countMismatch(op: "Tensor(bytes:) F16 [3]", expected: 6, actual: 4)) {
            try Tensor(bytes: [UInt8](repeating: 0, count: 4), dtype: .f16, shape: [3])
        }
        #expect(throws: TensorError.self) { try Tensor(bytes: [UInt8](), dtype: .f32, shape: [Int.max / 2]) }
    }
}
