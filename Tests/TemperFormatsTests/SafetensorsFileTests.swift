import Foundation
import Testing
@testable import TemperFormats

/// What expected.json (written by the fixture script from the raw bytes) says about a file.
struct ExpectedFile {
    let path: String
    let size: Int
    let sha256: String
    let headerLength: UInt64
    let metadata: [(String, String)]?
    let tensors: [(name: String, dtype: String, shape: [Int], offsets: [UInt64], sha256: String)]

    static func all() throws -> [ExpectedFile] {
        let root = try #require(try Fixture.json(Fixture.safetensors.appendingPathComponent("expected.json")) as? [String: Any])
        let files = try #require(root["files"] as? [String: [String: Any]])
        return try files.keys.sorted().map { key in
            let f = try #require(files[key])
            let tensors = try #require(f["tensors"] as? [[String: Any]]).map { t in
                (name: t["name"] as? String ?? "", dtype: t["dtype"] as? String ?? "", shape: t["shape"] as? [Int] ?? [-1],
                 offsets: (t["data_offsets"] as? [NSNumber] ?? []).map(\.uint64Value), sha256: t["sha256"] as? String ?? "")
            }
            let metadata = (f["metadata"] as? [[String]]).map { $0.map { ($0[0], $0[1]) } }
            return ExpectedFile(path: key, size: try #require(f["size"] as? Int), sha256: try #require(f["sha256"] as? String),
                                headerLength: try #require((f["header_length"] as? NSNumber)?.uint64Value),
                                metadata: metadata, tensors: tensors)
        }
    }
}

@Suite struct SafetensorsFileTests {
    @Test func readsEveryReferenceFileExactly() throws {
        let expected = try ExpectedFile.all()
        #expect(expected.count >= 10)
        for want in expected {
            let url = Fixture.safetensors.appendingPathComponent(want.path)
            let file = try SafetensorsFile.open(url)
            #expect(file.fileSize == UInt64(want.size), "\(want.path)")
            #expect(file.headerLength == want.headerLength, "\(want.path)")
            #expect(file.dataStart == 8 + want.headerLength)
            #expect(file.rawHeader.count == Int(want.headerLength))
            #expect(file.hasMetadataBlock == (want.metadata != nil), "\(want.path)")
            #expect(file.metadata.map(\.key) == (want.metadata ?? []).map(\.0), "\(want.path)")
            #expect(file.metadata.map(\.value) == (want.metadata ?? []).map(\.1), "\(want.path)")
            #expect(file.tensors.count == want.tensors.count, "\(want.path)")
            for (record, t) in zip(file.tensors, want.tensors) {
                #expect(record.name == t.name)
                #expect(record.dtype.rawValue == t.dtype)
                #expect(record.shape == t.shape)
                #expect(record.file == url.lastPathComponent)
                #expect(record.fileRange == (file.dataStart + t.offsets[0])..<(file.dataStart + t.offsets[1]))
                #expect(sha256Hex(try file.bytes(of: record)) == t.sha256, "\(want.path): \(t.name)")
                #expect(file.record(named: t.name) == record)
            }
        }
    }

    @Test func everyDTypeIsCovered() throws {
        let file = try SafetensorsFile.open(Fixture.safetensors.appendingPathComponent("all_dtypes.safetensors"))
        #expect(Set(file.tensors.map(\.dtype)) == Set(DType.allCases))
        let flags = try #require(file.record(named: "bool"))
        #expect(Array(try file.bytes(of: flags)) == [1, 0, 1, 1, 0])
        let i16 = try #require(file.record(named: "i16"))
        let values = try file.withBytes(of: i16) { raw in (0..<4).map { raw.loadUnaligned(fromByteOffset: 2 * $0, as: Int16.self) } }
        #expect(values == [-32768, -1, 0, 32767])
    }

    @Test func zeroSizeAndScalarShapes() throws {
        let file = try SafetensorsFile.open(Fixture.safetensors.appendingPathComponent("numpy_shapes.safetensors"))
        let empty = try #require(file.record(named: "empty_3d"))
        #expect(empty.shape == [3, 0, 2] && empty.byteCount == 0 && empty.elementCount == 0)
        #expect(try file.bytes(of: empty).count == 0)
        let scalar = try #require(file.record(named: "scalar"))
        #expect(scalar.shape == [] && scalar.elementCount == 1 && scalar.byteCount == 8)
        #expect(try file.bytes(of: scalar).loadUnaligned(as: Double.self) == 2.5)
        #expect(!file.hasMetadataBlock)
    }

    @Test func bytesAreZeroCopyViewsOfTheMapping() throws {
        let file = try SafetensorsFile.open(Fixture.safetensors.appendingPathComponent("numpy_shapes.safetensors"))
        let record = try #require(file.record(named: "matrix"))
        let view = try file.bytes(of: record)
        let base = try #require(file.mapped.bytes.baseAddress)
        #expect(view.baseAddress == base + Int(record.fileRange.lowerBound))
        #expect(try file.load(record) == Array(view))
    }

    @Test func foreignRecordOutsideTheFileThrows() throws {
        let file = try SafetensorsFile.open(Fixture.safetensors.appendingPathComponent("empty.safetensors"))
        let bogus = TensorRecord(name: "x", dtype: .f32, shape: [4], fileRange: 10..<26, file: "empty.safetensors")
        #expect(throws: FormatError.self) { try file.bytes(of: bogus) }
    }

    @Test func headerPaddingAndAnyTensorOrderAreAccepted() throws {
        let dir = try makeTemporaryFolder("st")
        defer { removeFolder(dir) }
        let url = dir.appendingPathComponent("order.safetensors")
        // Name order and offset order differ; header padded with spaces and a newline-free gap.
        let header = #"{"b":{"dtype":"U8","shape":[2],"data_offsets":[2,4]},"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"z":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}}   "#
        try Data(handMadeSafetensors(header, data: [1, 2, 3, 4])).write(to: url)
        let file = try SafetensorsFile.open(url)
        #expect(file.tensors.map(\.name) == ["b", "a", "z"])
        #expect(Array(try file.bytes(of: try #require(file.record(named: "b")))) == [3, 4])
        #expect(Array(try file.bytes(of: try #require(file.record(named: "a")))) == [1, 2])
    }

    @Test func unknownFieldsInATensorEntryAreIgnoredLikeSerde() throws {
        let dir = try makeTemporaryFolder("st")
        defer { removeFolder(dir) }
        let url = dir.appendingPathComponent("extra.safetensors")
        try Data(handMadeSafetensors(#"{"a":{"dtype":"U8","extra":[1],"shape":[1],"data_offsets":[0,1]},"__metadata__":null}"#, data: [9])).write(to: url)
        let file = try SafetensorsFile.open(url)
        #expect(file.tensors.map(\.shape) == [[1]])
        #expect(!file.hasMetadataBlock)
    }

    /// A 10 GB file is inspected by reading its header only (sparse file, instant).
    @Test func tenGigabyteFileOpensWithoutReadingData() throws {
        let dir = try makeTemporaryFolder("st")
        defer { removeFolder(dir) }
        let url = dir.appendingPathComponent("huge.safetensors")
        let total: UInt64 = 10_000_000_000
        func header(_ size: UInt64) -> [UInt8] {
            handMadeSafetensors(#"{"w":{"dtype":"U8","shape":[\#(size)],"data_offsets":[0,\#(size)]}}"#, data: [])
        }
        let dataSize = total - UInt64(header(9_999_999_999).count)  // same digit count, so same header length
        let head = header(dataSize)
        #expect(UInt64(head.count) + dataSize == total)
        #expect(FileManager.default.createFile(atPath: url.path, contents: Data(head)))
        let handle = try FileHandle(forWritingTo: url)
        try handle.truncate(atOffset: total)
        try handle.close()
        let started = Date()
        let file = try SafetensorsFile.open(url)
        #expect(Date().timeIntervalSince(started) < 2)
        #expect(file.fileSize == total)
        let record = try #require(file.record(named: "w"))
        #expect(record.byteCount == dataSize)
        #expect(try file.bytes(of: record).count == Int(record.byteCount))
    }
}
