import Foundation
import Testing
import TemperFormats
@testable import TemperIntegrity

@Suite struct ElementDecoderTests {
    func decode(_ dtype: DType, _ bytes: [UInt8]) -> [Double] {
        let count = bytes.count / dtype.size
        let out = UnsafeMutablePointer<Double>.allocate(capacity: max(1, count))
        defer { out.deallocate() }
        bytes.withUnsafeBytes { ElementDecoder.decode(dtype, $0, count: count, into: out) }
        return Array(UnsafeBufferPointer(start: out, count: count))
    }

    @Test func halfPrecisionFormats() {
        // f16: 1.0 = 0x3C00, -2.0 = 0xC000, smallest subnormal 0x0001 = 2^-24, 65504 = 0x7BFF.
        #expect(decode(.f16, [0x00, 0x3C, 0x00, 0xC0, 0x01, 0x00, 0xFF, 0x7B]) == [1, -2, 0x1p-24, 65504])
        #expect(decode(.f16, [0x00, 0x7C]) == [.infinity])
        // bf16 = upper 16 bits of f32: 1.0 = 0x3F80, -0.5 = 0xBF00, 3.140625 = 0x4049.
        #expect(decode(.bf16, [0x80, 0x3F, 0x00, 0xBF, 0x49, 0x40]) == [1, -0.5, 3.140625])
        // F8_E4M3: 0x38 = 1.0, 0xC0 = -2.0.
        #expect(decode(.f8e4m3, [0x38, 0xC0]) == [1, -2])
    }

    @Test func integerAndWideFormats() {
        #expect(decode(.f32, Array(withUnsafeBytes(of: Float(1.5).bitPattern.littleEndian, Array.init))) == [1.5])
        #expect(decode(.f64, Array(withUnsafeBytes(of: (-0.25).bitPattern.littleEndian, Array.init))) == [-0.25])
        #expect(decode(.i8, [0xFF, 0x7F]) == [-1, 127])
        #expect(decode(.u16, [0xFF, 0xFF]) == [65535])
        #expect(decode(.i32, [0xFE, 0xFF, 0xFF, 0xFF]) == [-2])
        #expect(decode(.i64, [5, 0, 0, 0, 0, 0, 0, 0]) == [5])
        #expect(decode(.bool, [0, 1]) == [0, 1])
        #expect(!ElementDecoder.canDecode(.c64))
    }
}
