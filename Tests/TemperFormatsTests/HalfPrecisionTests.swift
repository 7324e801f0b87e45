import Foundation
import Testing
@testable import TemperFormats

/// Every expectation here comes from torch (casts.json, made by the fixture script).
@Suite struct HalfPrecisionTests {
    let casts: [String: Any]

    init() throws {
        casts = try #require(try Fixture.json(Fixture.safetensors.appendingPathComponent("casts.json")) as? [String: Any])
    }

    func pairs(_ key: String, _ from: String, _ to: String) throws -> [(UInt64, UInt64)] {
        let list = try #require(casts[key] as? [[String: String]], "casts.json lacks \(key)")
        return try list.map { (try #require(hexValue($0[from] ?? "")), try #require(hexValue($0[to] ?? ""))) }
    }

    func f32(_ bits: [UInt32]) -> [Float] { bits.map { Float(bitPattern: $0) } }

    @Test func trickyFloat32ToFloat16MatchesTorch() throws {
        let cases = try pairs("f32_to_f16", "f32", "f16")
        #expect(cases.count > 40)
        for (input, want) in cases {
            #expect(HalfPrecision.f16Bits(fromFloat: Float(bitPattern: UInt32(input))) == UInt16(want),
                    "f32 0x\(String(input, radix: 16)) → f16")
        }
        let values = f32(cases.map { UInt32($0.0) })
        let bytes = try values.withUnsafeBufferPointer { try HalfPrecision.fromFloat32($0, to: .f16) }
        #expect(bytes == littleEndianBytes(cases.map { UInt16($0.1) }))
    }

    @Test func trickyFloat32ToBFloat16MatchesTorch() throws {
        let cases = try pairs("f32_to_bf16", "f32", "bf16")
        for (input, want) in cases {
            #expect(HalfPrecision.bf16Bits(fromFloat: Float(bitPattern: UInt32(input))) == UInt16(want),
                    "f32 0x\(String(input, radix: 16)) → bf16")
        }
    }

    @Test func sweepOfFloat32BitPatternsMatchesTorchHashes() throws {
        let sweep = try #require(casts["f32_sweep"] as? [String: Any])
        let lows = try #require(sweep["lows"] as? [String]).compactMap { hexValue($0).map(UInt32.init) }
        var inputs: [Float] = []
        inputs.reserveCapacity(65536 * lows.count)
        for high in UInt32(0)..<65536 { for low in lows { inputs.append(Float(bitPattern: high << 16 | low)) } }
        #expect(inputs.count == sweep["count"] as? Int)
        let f16 = try inputs.withUnsafeBufferPointer { try HalfPrecision.fromFloat32($0, to: .f16) }
        let bf16 = try inputs.withUnsafeBufferPointer { try HalfPrecision.fromFloat32($0, to: .bf16) }
        #expect(sha256Hex(f16) == sweep["f16_sha256"] as? String)
        #expect(sha256Hex(bf16) == sweep["bf16_sha256"] as? String)
    }

    @Test func everyHalfCodeWidensLikeTorch() throws {
        let codes = littleEndianBytes((0..<65536).map { UInt16($0) })
        let fromF16 = try codes.withUnsafeBytes { try HalfPrecision.toFloat32($0, dtype: .f16) }
        let fromBF16 = try codes.withUnsafeBytes { try HalfPrecision.toFloat32($0, dtype: .bf16) }
        #expect(sha256Hex(littleEndianBytes(fromF16.map(\.bitPattern))) == casts["f16_to_f32_all_sha256"] as? String)
        #expect(sha256Hex(littleEndianBytes(fromBF16.map(\.bitPattern))) == casts["bf16_to_f32_all_sha256"] as? String)
        for (input, want) in try pairs("f16_to_f32", "f16", "f32") {
            #expect(HalfPrecision.float(fromF16Bits: UInt16(input)).bitPattern == UInt32(want), "f16 0x\(String(input, radix: 16))")
        }
    }

    @Test func float64NarrowsLikeTorch() throws {
        let cases = try pairs("f64_to_f32", "f64", "f32")
        let bytes = littleEndianBytes(cases.map(\.0))
        let out = try bytes.withUnsafeBytes { try HalfPrecision.toFloat32($0, dtype: .f64) }
        #expect(out.map(\.bitPattern) == cases.map { UInt32($0.1) })
    }

    @Test(arguments: [("f8_e4m3_to_f32", DType.f8e4m3), ("f8_e5m2_to_f32", .f8e5m2), ("f8_e8m0_to_f32", .f8e8m0)])
    func eightBitFloatsWidenLikeTorch(_ key: String, _ dtype: DType) throws {
        let want = try #require(casts[key] as? [String]).compactMap { hexValue($0).map(UInt32.init) }
        #expect(want.count == 256)
        let out = try (0..<256).map { UInt8($0) }.withUnsafeBytes { try HalfPrecision.toFloat32($0, dtype: dtype) }
        #expect(out.map(\.bitPattern) == want)
    }

    @Test func convertRoutesThroughFloat32() throws {
        let values: [Float] = [1, -2.5, 65504, 1e-7, .infinity, 3.14159]
        let f32 = littleEndianBytes(values.map(\.bitPattern))
        let f16 = try f32.withUnsafeBytes { try HalfPrecision.convert($0, from: .f32, to: .f16) }
        #expect(f16 == littleEndianBytes(values.map { HalfPrecision.f16Bits(fromFloat: $0) }))
        let bf16 = try f16.withUnsafeBytes { try HalfPrecision.convert($0, from: .f16, to: .bf16) }
        let viaF32 = values.map { HalfPrecision.bf16Bits(fromFloat: HalfPrecision.float(fromF16Bits: HalfPrecision.f16Bits(fromFloat: $0))) }
        #expect(bf16 == littleEndianBytes(viaF32))
        let same = try f16.withUnsafeBytes { try HalfPrecision.convert($0, from: .f16, to: .f16) }
        #expect(same == f16)
        // Many elements: crosses the internal block size.
        let many = (0..<40_000).map { Float($0) * 0.37 - 5000 }
        let manyBytes = littleEndianBytes(many.map(\.bitPattern))
        let manyBF16 = try manyBytes.withUnsafeBytes { try HalfPrecision.convert($0, from: .f32, to: .bf16) }
        #expect(manyBF16 == littleEndianBytes(many.map { HalfPrecision.bf16Bits(fromFloat: $0) }))
    }

    @Test func unsupportedOrRaggedInputsThrow() throws {
        #expect(throws: FormatError.unsupportedConversion(tensor: "t", from: "I32", to: "F32")) {
            try [UInt8](repeating: 0, count: 4).withUnsafeBytes { try HalfPrecision.toFloat32($0, dtype: .i32, tensor: "t") }
        }
        #expect(throws: FormatError.self) { try [UInt8](repeating: 0, count: 3).withUnsafeBytes { try HalfPrecision.toFloat32($0, dtype: .f16) } }
        #expect(throws: FormatError.self) { try [UInt8](repeating: 0, count: 4).withUnsafeBytes { try HalfPrecision.convert($0, from: .f32, to: .i8) } }
    }
}
