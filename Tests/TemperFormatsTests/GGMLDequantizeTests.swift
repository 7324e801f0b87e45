import Foundation
import Testing
@testable import TemperFormats

/// Every block type against gguf-py `quants.dequantize` (ggml's formula for Q8_K, Q1_0,
/// Q2_0) on random raw blocks from Fixtures/formats/make_dequant_fixtures.py, bit for bit.
@Suite struct GGMLDequantizeTests {
    static let dir = "dequant/"

    static var fixtureTypes: [String] {
        let index = (try? GGUFFixtures.json(dir + "index.json")) as? [[String: Any]] ?? []
        return index.compactMap { $0["type"] as? String }
    }

    @Test func everyBlockTypeHasAFixture() {
        let covered = Set(Self.fixtureTypes)
        for type in GGMLDequantize.supportedTypes where type.isBlockQuantized {
            #expect(covered.contains(type.name), "no dequantization fixture for \(type.name)")
        }
    }

    @Test(arguments: fixtureTypes)
    func bitExactWithReference(_ name: String) throws {
        let type = try #require(GGMLType.allCases.first { $0.name == name })
        let raw = try GGUFFixtures.bytes(Self.dir + "\(name).bin")
        let expected = try GGUFFixtures.floats(Self.dir + "\(name).f32")
        #expect(raw.count / type.typeSize * type.blockSize == expected.count)
        let got = try raw.withUnsafeBytes { try GGMLDequantize.decode($0, as: type, count: expected.count, tensor: name) }
        var mismatches = 0
        for (i, (g, e)) in zip(got, expected).enumerated() where g.bitPattern != e.bitPattern {
            if mismatches < 5 { Issue.record("\(name)[\(i)]: got \(g), gguf-py \(e)") }
            mismatches += 1
        }
        #expect(mismatches == 0, "\(name): \(mismatches) of \(expected.count) values differ")
    }

    /// The parallel path (many chunks) gives the same values as one block at a time.
    @Test func largeInputsSplitAcrossThreadsAgree() throws {
        let raw = try GGUFFixtures.bytes(Self.dir + "Q4_K.bin")
        let blocks = raw.count / GGMLType.q4_K.typeSize
        var big: [UInt8] = []
        for _ in 0..<400 { big += raw }
        let count = 400 * blocks * 256
        let all = try big.withUnsafeBytes { try GGMLDequantize.decode($0, as: .q4_K, count: count) }
        let one = try raw.withUnsafeBytes { try GGMLDequantize.decode($0, as: .q4_K, count: blocks * 256) }
        for r in [0, 1, 199, 399] {
            #expect(Array(all[(r * one.count)..<((r + 1) * one.count)]) == one)
        }
    }

    @Test func plainTypesDecodeThroughTheDTypeTable() throws {
        let values: [Double] = [1.5, -2.25, 1e300]
        let bytes = values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
        let got = try bytes.withUnsafeBytes { try GGMLDequantize.decode($0, as: .f64, count: 3) }
        #expect(got == [1.5, -2.25, .infinity])
    }

    @Test func shortPayloadNamesTensor() {
        let bytes = [UInt8](repeating: 0, count: GGMLType.q6_K.typeSize - 1)
        #expect {
            try bytes.withUnsafeBytes { _ = try GGMLDequantize.decode($0, as: .q6_K, count: 256, tensor: "blk.0.ffn_down.weight", path: "m.gguf") }
        } throws: { error in
            guard case let .byteLengthMismatch(path, tensor, _, dtype, expected, actual) = error as? FormatError else { return false }
            return path == "m.gguf" && tensor == "blk.0.ffn_down.weight" && dtype == "Q6_K" && expected == 210 && actual == 209
        }
    }

    @Test func partialBlockIsRefused() {
        let bytes = [UInt8](repeating: 0, count: 18)
        #expect {
            try bytes.withUnsafeBytes { _ = try GGMLDequantize.decode($0, as: .q4_0, count: 31, tensor: "w") }
        } throws: { error in
            guard case let .invalidBlockShape(_, tensor, _, blockSize) = error as? FormatError else { return false }
            return tensor == "w" && blockSize == 32
        }
    }

    @Test(arguments: [GGMLType.q8_1, .i32])
    func typesWithoutAnF32ReadingAreRefused(_ type: GGMLType) {
        let bytes = [UInt8](repeating: 0, count: type.typeSize)
        #expect {
            try bytes.withUnsafeBytes { _ = try GGMLDequantize.decode($0, as: type, count: type.blockSize, tensor: "x") }
        } throws: { error in
            guard case let .unsupportedConversion(tensor, from, _) = error as? FormatError else { return false }
            return tensor == "x" && from == type.name
        }
    }

    /// The grids decode to gguf-py's shapes and the largest index stays inside each table.
    @Test func gridsHaveTheReferenceShapes() {
        let grids = [GGMLGrids.iq2xxs, GGMLGrids.iq2xs, GGMLGrids.iq2s, GGMLGrids.iq3xxs, GGMLGrids.iq3s, GGMLGrids.iq1s]
        for (grid, rows) in zip(grids, [256, 512, 1024, 256, 512, 2048]) {
            #expect(grid.rows == rows && grid.table.count == grid.rows * grid.columns)
        }
        #expect(GGMLGrids.ksigns.count == 128)
        #expect(GGMLGrids.ksigns.enumerated().allSatisfy { i, s in Int(s & 0x7F) == i && s.nonzeroBitCount % 2 == 0 })
    }
}
