import Foundation
import Testing
@testable import TemperFormats

@Suite struct GGUFWriterTests {
    /// Rebuilds a gguf-py fixture from its inputs (metadata from expected.json, tensors from
    /// the committed f32 input and the script's formulas) and compares every byte.
    @Test(arguments: ["kv_types.gguf", "default_alignment.gguf"])
    func rewritesGGUFPyFilesByteForByte(_ name: String) throws {
        let expected = try #require(try GGUFFixtures.expectedFiles()[name])
        let metadata = try GGUFFixtures.expectedMetadata(expected)
        let tensors = try #require(expected["tensors"] as? [[String: Any]])
        let input = try GGUFFixtures.floats("quant_input.f32.bin")
        var specs: [GGUFTensorSpec] = []
        var payloads: [[UInt8]] = []
        for t in tensors {
            let tname = try #require(t["name"] as? String)
            let shape = try #require(t["shape"] as? [Int])
            let typeID = try #require(t["type_id"] as? Int)
            let type = try #require(GGMLType(rawValue: UInt32(typeID)))
            specs.append(GGUFTensorSpec(name: tname, shape: shape, type: type))
            let count = shape.reduce(1, *)
            if tname == "i32.ids" {
                payloads.append((0..<5).flatMap { i in withUnsafeBytes(of: Int32(i * 3 - 10).littleEndian, Array.init) })
            } else {
                let values = GGUFFixtures.formulaTensor(tname) ?? Array(input[0..<count])
                payloads.append(try Quantize.encode(values, as: type, rowLength: shape.last ?? 1, tensor: tname))
            }
        }
        let dir = try GGUFFixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent(name)
        let writer = GGUFWriter(url: out)
        try writer.writeHeader(metadata: metadata, tensorCount: specs.count)
        try writer.writeTensorInfos(specs)
        for p in payloads { try writer.writeTensorData(p) }
        try writer.finish()
        #expect(try Data(contentsOf: out) == Data(contentsOf: GGUFFixtures.url(name)))
    }

    /// Read with Temper, write with Temper: a no-op round trip keeps every byte.
    @Test func readThenWriteIsIdentity() throws {
        let source = try GGUFFile(url: GGUFFixtures.url("kv_types.gguf"))
        let dir = try GGUFFixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("copy.gguf")
        let writer = GGUFWriter(url: out)
        try writer.writeHeader(metadata: source.metadata, tensorCount: source.tensors.count)
        try writer.writeTensorInfos(source.tensors.map { GGUFTensorSpec(name: $0.name, shape: $0.shape, type: $0.type) })
        for t in source.tensors {
            #expect(writer.nextTensorName == t.name)
            try writer.writeTensorData(source.bytes(of: t))
        }
        #expect(writer.nextTensorName == nil)
        try writer.finish()
        #expect(try Data(contentsOf: out) == Data(contentsOf: GGUFFixtures.url("kv_types.gguf")))
    }

    @Test func outOfOrderCallsAreRefused() throws {
        let dir = try GGUFFixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("o.gguf")
        let spec = GGUFTensorSpec(name: "t", shape: [2, 32], type: .q8_0)
        let writer = GGUFWriter(url: url)
        #expect { try writer.writeTensorInfos([spec]) } throws: { isWriterState($0) }
        #expect { try writer.writeTensorData([UInt8]()) } throws: { isWriterState($0) }
        #expect { try writer.finish() } throws: { isWriterState($0) }
        try writer.writeHeader(metadata: [GGUFKeyValue("a", .uint8(1))], tensorCount: 1)
        #expect { try writer.writeHeader(metadata: [], tensorCount: 1) } throws: { isWriterState($0) }
        #expect { try writer.writeTensorInfos([]) } throws: { isWriterState($0) }
        try writer.writeTensorInfos([spec])
        #expect { try writer.finish() } throws: { isWriterState($0) }
        #expect(throws: FormatError.byteLengthMismatch(path: url.path, tensor: "t", shape: [2, 32], dtype: "Q8_0", expected: 68, actual: 3)) {
            try writer.writeTensorData([1, 2, 3])
        }
        try writer.writeTensorData([UInt8](repeating: 0, count: 68))
        #expect { try writer.writeTensorData([UInt8](repeating: 0, count: 68)) } throws: { isWriterState($0) }
        #expect(!FileManager.default.fileExists(atPath: url.path), "nothing appears before finish()")
        try writer.finish()
        #expect { try writer.finish() } throws: { isWriterState($0) }
        let back = try GGUFFile(url: url)
        #expect(back.metadata == [GGUFKeyValue("a", .uint8(1))])
        #expect(back.tensors.map(\.shape) == [[2, 32]])
    }

    @Test func invalidInputsAreRefused() throws {
        let dir = try GGUFFixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("bad.gguf")
        #expect(throws: FormatError.duplicateKey(path: url.path, key: "k")) {
            try GGUFWriter(url: url).writeHeader(metadata: [GGUFKeyValue("k", .bool(true)), GGUFKeyValue("k", .bool(false))], tensorCount: 0)
        }
        #expect(throws: FormatError.invalidAlignment(path: url.path, alignment: 48)) {
            try GGUFWriter(url: url).writeHeader(metadata: [GGUFKeyValue("general.alignment", .uint32(48))], tensorCount: 0)
        }
        #expect(throws: FormatError.self) {
            try GGUFWriter(url: url).writeHeader(metadata: [GGUFKeyValue("x", .array(.int32, [.uint8(1)]))], tensorCount: 0)
        }
        let w = GGUFWriter(url: url)
        try w.writeHeader(metadata: [], tensorCount: 2)
        #expect(throws: FormatError.duplicateTensor(path: url.path, tensor: "a")) {
            try w.writeTensorInfos([GGUFTensorSpec(name: "a", shape: [4], type: .f32), GGUFTensorSpec(name: "a", shape: [4], type: .f32)])
        }
        #expect(throws: FormatError.invalidBlockShape(path: url.path, tensor: "q", shape: [3, 20], blockSize: 32)) {
            try w.writeTensorInfos([GGUFTensorSpec(name: "q", shape: [3, 20], type: .q4_0), GGUFTensorSpec(name: "b", shape: [1], type: .f32)])
        }
        w.abandon()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test func customAlignmentPadsEveryTensor() throws {
        let dir = try GGUFFixtures.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("a.gguf")
        let w = GGUFWriter(url: url)
        try w.writeHeader(metadata: [GGUFKeyValue("general.alignment", .uint32(128))], tensorCount: 2)
        try w.writeTensorInfos([GGUFTensorSpec(name: "x", shape: [3], type: .f32), GGUFTensorSpec(name: "y", shape: [5], type: .f16)])
        try w.writeTensorData(try Quantize.encode([1, 2, 3], as: .f32, rowLength: 3))
        try w.writeTensorData(try Quantize.encode([1, 2, 3, 4, 5], as: .f16, rowLength: 5))
        try w.finish()
        let f = try GGUFFile(url: url)
        #expect(f.alignment == 128 && f.dataStart % 128 == 0)
        #expect(f.tensors.map(\.offset) == [0, 128])
        #expect(f.fileSize == f.dataStart + 256)
    }
}

func isWriterState(_ error: any Error) -> Bool {
    if case FormatError.writerState = error { return true }
    return false
}
