import Foundation
import Testing
@testable import TemperFormats

@Suite struct GGUFValueTests {
    @Test func encodingIsLittleEndianAndTyped() {
        var out: [UInt8] = []
        GGUFValue.uint16(0x0102).encode(into: &out)
        GGUFValue.int8(-1).encode(into: &out)
        GGUFValue.bool(true).encode(into: &out)
        GGUFValue.string("ab").encode(into: &out)
        #expect(out == [0x02, 0x01, 0xff, 0x01, 2, 0, 0, 0, 0, 0, 0, 0, 0x61, 0x62])
        out = []
        GGUFValue.array(.array, [.array(.uint8, [.uint8(7)])]).encode(into: &out)
        #expect(out == [9, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7])
    }

    @Test func everyTypeRoundTripsThroughAFile() throws {
        let values: [GGUFValue] = [
            .uint8(255), .int8(-128), .uint16(65535), .int16(-32768), .uint32(.max), .int32(.min),
            .float32(-0.0), .bool(false), .string("ünïcødé"), .uint64(.max), .int64(.min), .float64(.pi),
            .array(.string, []), .array(.float32, [.float32(1.5), .float32(.infinity)]),
            .array(.array, [.array(.array, [.array(.bool, [.bool(true)])]), .array(.int64, [])]),
        ]
        let metadata = values.enumerated().map { GGUFKeyValue("k\($0.offset)", $0.element) }
        let dir = try GGUFFixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("v.gguf")
        let w = GGUFWriter(url: url)
        try w.writeHeader(metadata: metadata, tensorCount: 0)
        try w.writeTensorInfos([])
        try w.finish()
        let back = try GGUFFile(url: url)
        #expect(back.metadata == metadata)
        #expect(back.value(forKey: "k4")?.integerValue == Int64(UInt32.max))
        #expect(back.value(forKey: "k9")?.integerValue == nil)
        #expect(back.value(forKey: "k8")?.stringValue == "ünïcødé")
        #expect(back.value(forKey: "k13")?.arrayValue?.count == 2)
        #expect(GGUFValueType.allCases.map(\.rawValue) == Array(0...12))
    }
}
