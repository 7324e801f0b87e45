import Foundation
import Testing
@testable import TemperFormats

@Suite struct ShardedCheckpointWriterTests {
    /// The state-dict order and limit the fixture script used with transformers' recipe.
    func referenceInput() throws -> (specs: [TensorSpec], limit: UInt64, parameters: Int) {
        let root = try #require(try Fixture.json(Fixture.safetensors.appendingPathComponent("expected.json")) as? [String: Any])
        let info = try #require(root["sharded_transformers"] as? [String: Any])
        let order = try #require(info["input_order"] as? [[String: Any]])
        let specs = try order.map { t in
            TensorSpec(name: try #require(t["name"] as? String), dtype: try #require(DType(rawValue: t["dtype"] as? String ?? "")),
                       shape: try #require(t["shape"] as? [Int]))
        }
        return (specs, UInt64(try #require(info["max_shard_bytes"] as? Int)), try #require(info["total_parameters"] as? Int))
    }

    /// Same tensors, same limit, same metadata: every file matches transformers' bytes.
    @Test func reproducesTransformersShardsAndIndexByteForByte() throws {
        let dir = try makeTemporaryFolder("shardwriter")
        defer { removeFolder(dir) }
        let reference = Fixture.safetensors.appendingPathComponent("sharded_transformers")
        let source = try ShardedCheckpoint.open(reference)
        let (specs, limit, parameters) = try referenceInput()
        let writer = try ShardedCheckpointWriter(folder: dir, tensors: specs, maxShardBytes: limit,
                                                 extraIndexMetadata: [.init(key: "total_parameters", value: .number(String(parameters)))])
        #expect(writer.shardNames == source.shardNames)
        for spec in writer.expectedOrder {
            let record = try #require(source.tensors.first { $0.name == spec.name })
            try writer.append(spec.name, try source.bytes(of: record))
        }
        try writer.finish()
        for name in source.shardNames + [ShardedCheckpoint.indexFileName] {
            #expect(try Data(contentsOf: dir.appendingPathComponent(name)) == Data(contentsOf: reference.appendingPathComponent(name)), "\(name)")
        }
        #expect(try ShardedCheckpoint.open(dir).tensors == source.tensors)
    }

    @Test func splitFollowsHuggingFaceHub() throws {
        func spec(_ name: String, _ bytes: Int) -> TensorSpec { TensorSpec(name: name, dtype: .u8, shape: [bytes]) }
        // hub docstring example, in units of 1: [6, 6, 2, 6, 2, 2] with limit 10 → [6] [6 2] [6 2 2].
        let sizes = [6, 6, 2, 6, 2, 2]
        let groups = try ShardedCheckpointWriter.split(sizes.enumerated().map { spec("t\($0.offset)", $0.element) }, maxShardBytes: 10)
        #expect(groups.map { $0.map(\.name) } == [["t0"], ["t1", "t2"], ["t3", "t4", "t5"]])
        // An oversized tensor is appended as its own shard at once, before the open shard closes.
        let big = try ShardedCheckpointWriter.split([spec("a", 3), spec("huge", 50), spec("b", 3)], maxShardBytes: 10)
        #expect(big.map { $0.map(\.name) } == [["huge"], ["a", "b"]])
        #expect(try ShardedCheckpointWriter.split([], maxShardBytes: 10).count == 1)
    }

    @Test func singleShardIsModelSafetensorsWithoutIndex() throws {
        let dir = try makeTemporaryFolder("shardwriter")
        defer { removeFolder(dir) }
        let writer = try ShardedCheckpointWriter(folder: dir, tensors: [TensorSpec(name: "w", dtype: .u8, shape: [4])], maxShardBytes: 100)
        #expect(writer.shardNames == ["model.safetensors"] && writer.indexBytes == nil)
        try writer.append("w", [1, 2, 3, 4])
        try writer.finish()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["model.safetensors"])
        let file = try SafetensorsFile.open(dir.appendingPathComponent("model.safetensors"))
        #expect(file.metadata.map(\.key) == ["format"])
    }

    @Test func streamsAcrossShardsAndEnforcesOrder() throws {
        let dir = try makeTemporaryFolder("shardwriter")
        defer { removeFolder(dir) }
        let specs = (0..<5).map { TensorSpec(name: "t\($0)", dtype: .u8, shape: [4]) }
        let writer = try ShardedCheckpointWriter(folder: dir, tensors: specs, maxShardBytes: 8, order: .asGiven)
        #expect(writer.shardNames.count == 3)
        #expect(throws: FormatError.self) { try writer.append("t1", [0, 0, 0, 0]) }
        try writer.append("t0", [0, 0, 0, 0])
        try writer.append("t1", [1, 1, 1, 1])
        #expect(throws: FormatError.self) { try writer.finish() }
        #expect(throws: FormatError.self) { try writer.append("t3", [3, 3, 3, 3]) }
        try writer.append("t2", [2, 2, 2, 2])
        try writer.append("t3", [3, 3])
        try writer.append("t3", [3, 3])
        try writer.append("t4", [4, 4, 4, 4])
        try writer.finish()
        let sharded = try ShardedCheckpoint.open(dir)
        #expect(sharded.tensors.map(\.name) == ["t0", "t1", "t2", "t3", "t4"])
        #expect(sharded.totalSize == 20)
        #expect(Array(try sharded.bytes(of: sharded.tensors[3])) == [3, 3, 3, 3])
    }

    @Test func noTensorsWritesOneEmptyFile() throws {
        let dir = try makeTemporaryFolder("shardwriter")
        defer { removeFolder(dir) }
        let writer = try ShardedCheckpointWriter(folder: dir, tensors: [], maxShardBytes: 8)
        try writer.finish()
        #expect(try SafetensorsFile.open(dir.appendingPathComponent("model.safetensors")).tensors.isEmpty)
    }
}
