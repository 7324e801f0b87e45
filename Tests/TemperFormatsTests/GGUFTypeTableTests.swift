import Foundation
import Testing
@testable import TemperFormats

@Suite struct GGUFTypeTableTests {
    @Test func tableMatchesGGUFPy() throws {
        let table = try #require(try GGUFFixtures.json("ggml_types.json") as? [[String: Any]])
        #expect(table.count == GGMLType.allCases.count)
        for row in table {
            let id = try #require(row["id"] as? Int)
            let type = try #require(GGMLType(rawValue: UInt32(id)), "gguf-py knows type \(id)")
            #expect(type.name == row["name"] as? String)
            #expect(type.blockSize == row["block_size"] as? Int, "\(type.name) block size")
            #expect(type.typeSize == row["type_size"] as? Int, "\(type.name) type size")
        }
    }

    @Test func retiredIdsAreUnknown() {
        for id: UInt32 in [4, 5, 31, 32, 33, 36, 37, 38, 43, 1000] {
            #expect(GGMLType(rawValue: id) == nil, "id \(id) must not decode")
        }
    }

    @Test func byteCountsAndDTypes() {
        #expect(GGMLType.q8_0.byteCount(elements: 64) == 68)
        #expect(GGMLType.q4_0.byteCount(elements: 32) == 18)
        #expect(GGMLType.q4_0.byteCount(elements: 33) == nil)
        #expect(GGMLType.q6_K.byteCount(elements: 256) == 210)
        #expect(GGMLType.q8_1.typeSize == 36 && GGMLType.q2_0.blockSize == 64)
        #expect(GGMLType.f32.byteCount(elements: UInt64.max / 2) == nil)
        #expect(GGMLType.bf16.dtype == .bf16 && GGMLType.i64.dtype == .i64 && GGMLType.q8_0.dtype == nil)
        #expect(GGMLType.q8_0.isBlockQuantized && !GGMLType.f16.isBlockQuantized)
    }
}
