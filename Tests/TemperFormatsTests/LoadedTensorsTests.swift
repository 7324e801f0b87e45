import Foundation
import Testing
@testable import TemperFormats

@Suite struct LoadedTensorsTests {
    @Test func loadsEveryTensorAlignedAndEqualToTheFile() throws {
        for name in ["all_dtypes.safetensors", "numpy_shapes.safetensors", "escapes.safetensors", "empty.safetensors"] {
            let file = try SafetensorsFile.open(Fixture.safetensors.appendingPathComponent(name))
            let loaded = try file.loadAll()
            #expect(loaded.records == file.tensors && loaded.count == file.tensors.count)
            for (i, record) in file.tensors.enumerated() {
                let bytes = loaded.bytes(at: i)
                #expect(Array(bytes) == Array(try file.bytes(of: record)), "\(name): \(record.name)")
                #expect(bytes.count == Int(record.byteCount))
                #expect(loaded.offsets[i] % LoadedTensors.alignment == 0)
                #expect(loaded.array(at: i) == Array(bytes))
                #expect(loaded.bytes(named: record.name).map(Array.init) == Array(bytes))
                if let base = bytes.baseAddress { #expect(Int(bitPattern: base) % LoadedTensors.alignment == 0) }
            }
            #expect(loaded.bytes(named: "no such tensor") == nil)
        }
    }

    @Test func largeTensorsAreSplitIntoChunksAndReassembled() throws {
        let dir = try makeTemporaryFolder("loaded")
        defer { removeFolder(dir) }
        let url = dir.appendingPathComponent("big.safetensors")
        let count = (8 << 20) * 2 + 12345  // three chunks
        let payload = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 13) }
        try SafetensorsWriter.write(to: url, tensors: [TensorSpec(name: "big", dtype: .u8, shape: [count]),
                                                        TensorSpec(name: "tail", dtype: .u8, shape: [3])]) { spec in
            spec.name == "big" ? payload : [7, 8, 9]
        }
        let file = try SafetensorsFile.open(url)
        let loaded = try file.loadAll()
        #expect(loaded.bytes(named: "big").map(Array.init) == payload)
        #expect(loaded.bytes(named: "tail").map(Array.init) == [7, 8, 9])
    }

    @Test func aFileThatShrinksAfterOpeningFailsToLoad() throws {
        let dir = try makeTemporaryFolder("loaded")
        defer { removeFolder(dir) }
        let url = dir.appendingPathComponent("shrinks.safetensors")
        try SafetensorsWriter.write(to: url, tensors: [TensorSpec(name: "w", dtype: .f32, shape: [1024])]) { _ in [UInt8](repeating: 1, count: 4096) }
        let file = try SafetensorsFile.open(url)
        let handle = try FileHandle(forWritingTo: url)
        try handle.truncate(atOffset: 100)
        try handle.close()
        #expect(throws: FormatError.self) { try file.loadAll() }
        #expect(throws: FormatError.self) { try file.load(try #require(file.record(named: "w"))) }
    }
}
