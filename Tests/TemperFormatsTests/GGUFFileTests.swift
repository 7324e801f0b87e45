import Foundation
import Testing
@testable import TemperFormats

@Suite struct GGUFFileTests {
    @Test(arguments: ["kv_types.gguf", "default_alignment.gguf"])
    func readsWhatGGUFPyWrote(_ name: String) throws {
        let expected = try #require(try GGUFFixtures.expectedFiles()[name])
        let file = try GGUFFile(url: GGUFFixtures.url(name))
        #expect(file.version == 3)
        #expect(file.alignment == expected["alignment"] as? Int)
        #expect(Int(file.dataStart) == expected["data_start"] as? Int)
        #expect(Int(file.fileSize) == expected["file_size"] as? Int)
        #expect(file.metadata == (try GGUFFixtures.expectedMetadata(expected)))
        let tensors = try #require(expected["tensors"] as? [[String: Any]])
        #expect(file.tensors.map(\.name) == tensors.compactMap { $0["name"] as? String })
        for (info, exp) in zip(file.tensors, tensors) {
            #expect(Int(info.type.rawValue) == exp["type_id"] as? Int)
            #expect(info.type.name == exp["type"] as? String)
            #expect(info.dimensions.map(Int.init) == exp["dims"] as? [Int])
            #expect(info.shape == exp["shape"] as? [Int])
            #expect(Int(info.offset) == exp["offset"] as? Int)
            #expect(Int(info.byteCount) == exp["n_bytes"] as? Int)
            #expect(Int(info.fileRange.lowerBound) == exp["data_offset"] as? Int)
        }
    }

    @Test func tensorBytesAreTheFixtureBytes() throws {
        let file = try GGUFFile(url: GGUFFixtures.url("kv_types.gguf"))
        let q8 = try #require(file.tensor(named: "q8_0.weight"))
        #expect(Array(file.bytes(of: q8)) == (try GGUFFixtures.bytes("quant_input.q8_0.bin")))
        let q4 = try #require(file.tensor(named: "q4_0.weight"))
        #expect(Array(file.bytes(of: q4)) == (try GGUFFixtures.bytes("quant_input.q4_0.bin")))
        let matrix = try #require(file.tensor(named: "f32.matrix"))
        let values = try file.withBytes(of: matrix) { try Quantize.decode($0, as: .f32, count: 32) }
        #expect(values == GGUFFixtures.formulaTensor("f32.matrix"))
        let ids = try #require(file.tensor(named: "i32.ids"))
        let decoded = file.withBytes(of: ids) { raw in (0..<5).map { Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self)) } }
        #expect(decoded == [-10, -7, -4, -1, 2])
        #expect(file.value(forKey: "test.array.nested") == .array(.array, [.array(.int32, [.int32(1), .int32(2)]), .array(.int32, [.int32(3)])]))
        #expect(file.value(forKey: "missing") == nil)
    }

    @Test func tensorRecordsUseNumpyShapes() throws {
        let file = try GGUFFile(url: GGUFFixtures.url("kv_types.gguf"))
        let records = file.tensorRecords(file: "kv_types.gguf")
        #expect(records.map(\.name) == ["f32.matrix", "f16.vector", "bf16.weight", "f32.cube", "i32.ids"])
        let cube = try #require(records.first { $0.name == "f32.cube" })
        #expect(cube.shape == [2, 3, 32] && cube.dtype == .f32 && cube.byteCount == 2 * 3 * 32 * 4)
        #expect(file.tensor(named: "q8_0.weight")?.tensorRecord(file: "x") == nil)
    }

    @Test func everyTruncationIsATypedError() throws {
        let full = try GGUFFixtures.bytes("default_alignment.gguf")
        let dir = try GGUFFixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("cut.gguf")
        // The last tensor's trailing padding is optional; everything before its end is not.
        let dataEnd = Int(try GGUFFile(url: GGUFFixtures.url("default_alignment.gguf")).tensors.map(\.fileRange.upperBound).max() ?? 0)
        #expect(dataEnd > full.count - 32)
        for length in 0..<dataEnd {
            try Data(full[0..<length]).write(to: url)
            #expect(throws: FormatError.self, "prefix of \(length) bytes") { try GGUFFile(url: url) }
        }
        try Data(full).write(to: url)
        #expect(try GGUFFile(url: url).tensors.count == 3)
    }

    @Test func corruptedBytesNeverCrash() throws {
        let full = try GGUFFixtures.bytes("kv_types.gguf")
        let headerEnd = try GGUFFile(url: GGUFFixtures.url("kv_types.gguf")).dataStart
        let dir = try GGUFFixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("flip.gguf")
        var rng = SplitMix(seed: 42)
        var rejected = 0
        for _ in 0..<400 {
            var bytes = full
            for _ in 0..<1 + Int(rng.next() % 3) {
                let at = Int(rng.next() % headerEnd)
                bytes[at] = UInt8(truncatingIfNeeded: rng.next())
            }
            try Data(bytes).write(to: url)
            do { _ = try GGUFFile(url: url) } catch is FormatError { rejected += 1 }
        }
        #expect(rejected > 0)
    }

    @Test func missingFileIsNotFound() {
        #expect(throws: FormatError.notFound(path: "/nonexistent/x.gguf")) { try GGUFFile(path: "/nonexistent/x.gguf") }
    }
}

/// Small deterministic generator for the fuzz tests.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
