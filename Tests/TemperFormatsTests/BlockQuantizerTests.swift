import Foundation
import Testing
@testable import TemperFormats

/// Every type BlockQuantizer writes, against the bytes ggml's own `ggml_quantize_chunk`
/// writes for the same f32 input (Fixtures/quant, made by make_expectations.sh).
@Suite struct BlockQuantizerTests {
    static let dir = GGUFFixtures.root.appendingPathComponent("Fixtures/quant")
    static let names: [(String, GGMLType)] = [
        ("q4_0", .q4_0), ("q4_1", .q4_1), ("q5_0", .q5_0), ("q5_1", .q5_1), ("q8_0", .q8_0),
        ("q2_K", .q2_K), ("q3_K", .q3_K), ("q4_K", .q4_K), ("q5_K", .q5_K), ("q6_K", .q6_K),
        ("iq4_nl", .iq4_NL), ("iq4_xs", .iq4_XS),
    ]

    static func input() throws -> [Float] {
        let data = try Data(contentsOf: dir.appendingPathComponent("input.f32"))
        return data.withUnsafeBytes { raw in
            (0..<(raw.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
        }
    }

    @Test(arguments: names)
    func matchesGGMLByteForByte(_ name: String, _ type: GGMLType) throws {
        let values = try Self.input()
        let expected = [UInt8](try Data(contentsOf: Self.dir.appendingPathComponent("expected/\(name).bin")))
        let bytes = try Quantize.encode(values, as: type, rowLength: 512)
        #expect(bytes.count == expected.count)
        let size = type.typeSize, elements = type.blockSize
        var reported = 0
        for b in 0..<(min(bytes.count, expected.count) / size) where bytes[b * size..<(b + 1) * size] != expected[b * size..<(b + 1) * size] {
            let byte = (0..<size).first { bytes[b * size + $0] != expected[b * size + $0] } ?? 0
            Issue.record("\(name) block \(b) (row \(b * elements / 512)) differs from ggml first at byte \(byte)")
            reported += 1
            if reported == 5 { break }
        }
    }

    @Test func anyThreadSplitGivesTheSameBytes() throws {
        // 600 Q4_K blocks split over several tasks must equal blocks quantized one at a time.
        var rng = SplitMix(seed: 3)
        let values = (0..<(600 * 256)).map { _ in Float(Int64(bitPattern: rng.next() >> 40) - (1 << 23)) / Float(1 << 22) }
        let whole = try Quantize.encode(values, as: .q4_K, rowLength: 256 * 4)
        var oneByOne = [UInt8]()
        for b in 0..<600 {
            oneByOne += try Quantize.encode(Array(values[b * 256..<(b + 1) * 256]), as: .q4_K, rowLength: 256)
        }
        #expect(whole == oneByOne)
    }

    @Test func rowsThatAreNotWholeBlocksAreRefused() {
        #expect(throws: FormatError.self) { try Quantize.encode([Float](repeating: 1, count: 512), as: .q4_K, rowLength: 128) }
        #expect(throws: FormatError.self) { try Quantize.encode([Float](repeating: 1, count: 48), as: .q5_0, rowLength: 48) }
    }
}
