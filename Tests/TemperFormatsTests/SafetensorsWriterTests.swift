import Foundation
import Testing
@testable import TemperFormats

@Suite struct SafetensorsWriterTests {
    static let referenceFiles = [
        "all_dtypes.safetensors", "numpy_shapes.safetensors", "empty.safetensors", "metadata_only.safetensors",
        "escapes.safetensors", "hf_single/model.safetensors", "sharded_transformers/model-00002-of-00003.safetensors",
    ]

    func copyTensors(from source: SafetensorsFile, into writer: SafetensorsWriter) throws {
        for spec in writer.expectedOrder {
            let record = try #require(source.record(named: spec.name))
            try writer.append(spec.name, try source.bytes(of: record))
        }
        try writer.finish()
    }

    /// Keeping the original header bytes reproduces every reference file exactly.
    @Test(arguments: referenceFiles)
    func rewriteKeepingRawHeaderIsByteIdentical(_ name: String) throws {
        let dir = try makeTemporaryFolder("writer")
        defer { removeFolder(dir) }
        let source = try SafetensorsFile.open(Fixture.safetensors.appendingPathComponent(name))
        let out = dir.appendingPathComponent("copy.safetensors")
        try copyTensors(from: source, into: try SafetensorsWriter(url: out, preservingHeaderOf: source))
        #expect(try Data(contentsOf: out) == Data(source.mapped.bytes))
    }

    /// Re-serialising from the parsed records (tensors handed over in reverse order, sorted
    /// again by the reference rule) also reproduces python safetensors' bytes exactly.
    @Test(arguments: referenceFiles)
    func reserialisingMatchesPythonSafetensors(_ name: String) throws {
        let dir = try makeTemporaryFolder("writer")
        defer { removeFolder(dir) }
        let source = try SafetensorsFile.open(Fixture.safetensors.appendingPathComponent(name))
        let metadata = source.hasMetadataBlock ? source.metadata : nil
        let specs = source.tensors.map(TensorSpec.init)
        let sorted = dir.appendingPathComponent("sorted.safetensors")
        try copyTensors(from: source, into: try SafetensorsWriter(url: sorted, tensors: specs.reversed(), metadata: metadata, order: .reference))
        #expect(try Data(contentsOf: sorted) == Data(source.mapped.bytes))
        let given = dir.appendingPathComponent("given.safetensors")
        try copyTensors(from: source, into: try SafetensorsWriter(url: given, tensors: specs, metadata: metadata, order: .asGiven))
        #expect(try Data(contentsOf: given) == Data(source.mapped.bytes))
    }

    @Test func referenceOrderIsDTypeRankThenNameBytes() {
        let specs = [TensorSpec(name: "b", dtype: .bool, shape: [1]), TensorSpec(name: "é", dtype: .f32, shape: [1]),
                     TensorSpec(name: "Z", dtype: .f32, shape: [1]), TensorSpec(name: "a", dtype: .f32, shape: [1]),
                     TensorSpec(name: "x", dtype: .u64, shape: [1]), TensorSpec(name: "y", dtype: .bf16, shape: [1]),
                     TensorSpec(name: "w", dtype: .f16, shape: [1]), TensorSpec(name: "v", dtype: .f64, shape: [1])]
        #expect(SafetensorsLayout.referenceSorted(specs).map(\.name) == ["x", "v", "Z", "a", "é", "y", "w", "b"])
    }

    @Test func writesWhatTheReaderReadsBack() throws {
        let dir = try makeTemporaryFolder("writer")
        defer { removeFolder(dir) }
        let url = dir.appendingPathComponent("new.safetensors")
        let specs = [TensorSpec(name: "w", dtype: .f32, shape: [2, 2]), TensorSpec(name: "e", dtype: .i64, shape: [0]),
                     TensorSpec(name: "s", dtype: .u8, shape: [])]
        let writer = try SafetensorsWriter(url: url, tensors: specs, metadata: [("format", "pt"), ("a", "b")], order: .asGiven)
        try writer.append("w", [1, 2, 3, 4, 5, 6, 7, 8])          // in chunks
        try writer.append("w", [9, 10, 11, 12, 13, 14, 15, 16])
        try writer.append("e", [])
        try writer.append("s", [42])
        #expect(writer.isComplete)
        try writer.finish()
        let file = try SafetensorsFile.open(url)
        #expect(file.tensors.map(\.name) == ["w", "e", "s"])
        #expect(file.metadata.map(\.key) == ["format", "a"])
        #expect(Array(try file.bytes(of: try #require(file.record(named: "w")))) == Array(1...16))
        #expect(Array(try file.bytes(of: try #require(file.record(named: "s")))) == [42])
        #expect(file.headerLength % 8 == 0)
        let text = String(decoding: file.rawHeader, as: UTF8.self)
        #expect(text.hasPrefix(#"{"__metadata__":{"format":"pt","a":"b"},"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"#))
    }

    @Test func outOfOrderAndWrongSizesAreWriterStateErrors() throws {
        let dir = try makeTemporaryFolder("writer")
        defer { removeFolder(dir) }
        let url = dir.appendingPathComponent("bad.safetensors")
        let writer = try SafetensorsWriter(url: url, tensors: [TensorSpec(name: "a", dtype: .u8, shape: [2]),
                                                               TensorSpec(name: "b", dtype: .u8, shape: [1])], order: .asGiven)
        func isWriterState(_ error: any Error) -> Bool { if case .writerState = error as? FormatError { return true } else { return false } }
        #expect { try writer.append("b", [1]) } throws: { isWriterState($0) }           // b before a
        #expect { try writer.append("a", [1, 2, 3]) } throws: { isWriterState($0) }     // too many bytes
        try writer.append("a", [1])
        #expect { try writer.append("b", [1]) } throws: { isWriterState($0) }           // a unfinished
        #expect { try writer.finish() } throws: { isWriterState($0) }                   // finish early
        try writer.append("a", [2])
        #expect { try writer.append("a", [3]) } throws: { isWriterState($0) }           // a is full
        try writer.append("b", [3])
        try writer.finish()
        #expect { try writer.append("b", []) } throws: { isWriterState($0) }           // after finish
        #expect(try Data(contentsOf: url).suffix(3) == Data([1, 2, 3]))
    }

    @Test func abandonedOrFailedWritesLeaveNothing() throws {
        let dir = try makeTemporaryFolder("writer")
        defer { removeFolder(dir) }
        let url = dir.appendingPathComponent("never.safetensors")
        do {
            let writer = try SafetensorsWriter(url: url, tensors: [TensorSpec(name: "a", dtype: .u8, shape: [1])])
            try writer.append("a", [1])
            writer.abandon()
        }
        #expect(throws: FormatError.self) {
            try SafetensorsWriter.write(to: url, tensors: [TensorSpec(name: "a", dtype: .u8, shape: [2])]) { _ in [1] }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test func invalidPlansAreRejected() throws {
        let dir = try makeTemporaryFolder("writer")
        defer { removeFolder(dir) }
        let url = dir.appendingPathComponent("x.safetensors")
        let a = TensorSpec(name: "a", dtype: .u8, shape: [1])
        #expect(throws: FormatError.duplicateTensor(path: url.path, tensor: "a")) { try SafetensorsWriter(url: url, tensors: [a, a]) }
        #expect(throws: FormatError.self) { try SafetensorsWriter(url: url, tensors: [TensorSpec(name: "__metadata__", dtype: .u8, shape: [1])]) }
        #expect(throws: FormatError.self) { try SafetensorsWriter(url: url, tensors: [TensorSpec(name: "n", dtype: .u8, shape: [-1])]) }
        #expect(throws: FormatError.self) { try SafetensorsWriter(url: url, tensors: [TensorSpec(name: "o", dtype: .f64, shape: [1 << 62, 4])]) }
        #expect(throws: FormatError.self) { try SafetensorsWriter(url: url, tensors: [], metadata: [("k", "1"), ("k", "2")]) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test func emptyMetadataIsWrittenAsValidJSON() throws {
        // The reference writes `{},"__metadata__":{}}` here (not JSON); Temper writes valid JSON.
        let layout = try SafetensorsLayout(tensors: [], metadata: [], order: .reference)
        #expect(String(decoding: layout.header, as: UTF8.self) == #"{"__metadata__":{}}     "#)
        let none = try SafetensorsLayout(tensors: [], metadata: nil, order: .reference)
        #expect(String(decoding: none.header, as: UTF8.self) == "{}      ")
    }
}
