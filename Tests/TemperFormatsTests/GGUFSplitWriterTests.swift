import Foundation
import Testing
@testable import TemperFormats

/// Split GGUF output against llama.cpp's own `llama-gguf-split --split`: the model GGUF of a
/// Fixtures/gguf_convert folder (Temper's f32 export, byte-identical to convert_hf_to_gguf's; see
/// GGUFConvertFileTests) cut by Temper must give the shards — names, sizes, sha256 —
/// that llama-gguf-split gave on convert's file (Fixtures/gguf_split/expected.json, written by
/// make_split_expectations.py), both from the GGUF and straight from the Hugging Face folder.
@Suite struct GGUFSplitWriterTests {
    struct Case: CustomStringConvertible {
        var name: String, folder: String, limit: GGUFSplitLimit, shards: [(name: String, size: Int, sha256: String)]
        var description: String { name }
    }

    static func cases() throws -> [Case] {
        let url = GGUFFixtures.root.appendingPathComponent("Fixtures/gguf_split/expected.json")
        let o = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        return try #require(o["cases"] as? [[String: Any]]).map { c in
            let args = c["args"] as? [String] ?? []
            let value = args.last ?? ""
            let limit: GGUFSplitLimit = args.first == "--split-max-size"
                ? .bytes((UInt64(value.dropLast()) ?? 0) * (value.hasSuffix("G") ? 1_000_000_000 : 1_000_000))
                : .tensors(Int(value) ?? 0)
            let shards = (c["shards"] as? [[String: Any]] ?? []).map { ($0["name"] as? String ?? "", $0["size"] as? Int ?? -1, $0["sha256"] as? String ?? "") }
            return Case(name: c["case"] as? String ?? "", folder: c["folder"] as? String ?? "", limit: limit, shards: shards)
        }
    }

    static func work() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("temper-split-\(UUID().uuidString)")
    }

    static func check(_ c: Case, in folder: URL, _ label: String) throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("out-") }.sorted()
        #expect(files == c.shards.map(\.name), "\(c.name) \(label): shard names")
        for s in c.shards where files.contains(s.name) {
            let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent(s.name)))
            #expect(bytes.count == s.size, "\(c.name) \(label): \(s.name) size")
            #expect(LlamaGGUFPreTokenizer.sha256Hex(bytes) == s.sha256, "\(c.name) \(label): \(s.name) sha256")
        }
    }

    @Test func expectationsArePresent() throws { #expect(try Self.cases().count == 4) }

    @Test(arguments: try cases()) func shardsEqualLlamaGGUFSplit(_ c: Case) throws {
        let work = Self.work()
        defer { try? FileManager.default.removeItem(at: work) }
        let hf = try GGUFConvertFileTests.materialize(c.folder, in: work)
        let whole = work.appendingPathComponent("model.gguf")
        _ = try CheckpointConverter.convert(try ConversionInput(url: hf), to: whole, options: ConversionOptions(target: .gguf, dtype: .f32))
        // From the GGUF, as llama-gguf-split reads it.
        let fromGGUF = work.appendingPathComponent("from-gguf")
        try FileManager.default.createDirectory(at: fromGGUF, withIntermediateDirectories: false)
        var options = ConversionOptions(target: .gguf)
        options.split = c.limit
        let summary = try CheckpointConverter.convert(try ConversionInput(url: whole), to: fromGGUF.appendingPathComponent("out.gguf"), options: options)
        #expect(summary.files == c.shards.map(\.name))
        try Self.check(c, in: fromGGUF, "from the GGUF")
        // Straight from the Hugging Face folder.
        let fromHF = work.appendingPathComponent("from-hf")
        try FileManager.default.createDirectory(at: fromHF, withIntermediateDirectories: false)
        options.dtype = .f32
        _ = try CheckpointConverter.convert(try ConversionInput(url: hf), to: fromHF.appendingPathComponent("out.gguf"), options: options)
        try Self.check(c, in: fromHF, "from the folder")
        #expect(try FileManager.default.contentsOfDirectory(atPath: fromHF.path).count == c.shards.count, "no leftovers")
        // Read back through the first shard: the whole model's tensors, in order, same bytes.
        let first = try ConversionInput(url: fromHF.appendingPathComponent(c.shards[0].name))
        let original = try ConversionInput(url: whole)
        #expect(first.tensors.map(\.name) == original.tensors.map(\.name))
        for (a, b) in zip(first.tensors, original.tensors) { #expect(Array(try first.rawBytes(a)) == Array(try original.rawBytes(b))) }
    }

    @Test func planCutsAsSplitStrategy() throws {
        func info(_ name: String, _ bytes: UInt64) -> GGUFTensorInfo {
            GGUFTensorInfo(name: name, dimensions: [bytes], type: .i8, offset: 0, elementCount: bytes, byteCount: bytes, fileRange: 0..<bytes)
        }
        let t = [info("a", 10), info("b", 40), info("c", 1), info("d", 100), info("e", 1)]
        #expect(try GGUFSplitWriter.plan(t, limit: .tensors(2), path: "") == [0..<2, 2..<4, 4..<5])
        // Padded sizes 32, 64, 32, 128, 32 against 100: a cut before b? 32+64 = 96 ≤ 100; c: 128 > 100.
        #expect(try GGUFSplitWriter.plan(t, limit: .bytes(100), path: "") == [0..<2, 2..<3, 3..<4, 4..<5])
        #expect(throws: FormatError.self) { try GGUFSplitWriter.plan(t, limit: .bytes(31), path: "m.gguf") }
        #expect(throws: FormatError.self) { try GGUFSplitWriter.plan(t, limit: .tensors(0), path: "m.gguf") }
        #expect(GGUFSplitWriter.shardNames(prefix: "out", count: 3) == ["out-00001-of-00003.gguf", "out-00002-of-00003.gguf", "out-00003-of-00003.gguf"])
    }

    @Test func aFailedOrRefusedSplitWritesNothing() throws {
        let work = Self.work()
        defer { try? FileManager.default.removeItem(at: work) }
        let hf = try GGUFConvertFileTests.materialize("Tiny-Llama3-8B-Instruct", in: work)
        let out = work.appendingPathComponent("out.gguf")
        var options = ConversionOptions(target: .gguf, dtype: .f32)
        options.split = .bytes(16)  // rope_freqs.weight, the first tensor, takes 32
        #expect(throws: FormatError.self) { try CheckpointConverter.convert(try ConversionInput(url: hf), to: out, options: options) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.path) == ["Tiny-Llama3-8B-Instruct"])
        // An existing shard is not replaced without replaceShards.
        try Data("keep".utf8).write(to: work.appendingPathComponent("out-00002-of-00005.gguf"))
        options.split = .tensors(5)
        #expect(throws: FormatError.self) { try CheckpointConverter.convert(try ConversionInput(url: hf), to: out, options: options) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.path).sorted() == ["Tiny-Llama3-8B-Instruct", "out-00002-of-00005.gguf"])
        options.replaceShards = true
        let summary = try CheckpointConverter.convert(try ConversionInput(url: hf), to: out, options: options)
        #expect(summary.files.count == 5 && summary.tensors == 22)
    }
}
