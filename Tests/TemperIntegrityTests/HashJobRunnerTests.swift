import Foundation
import Testing
import TemperFormats
@testable import TemperIntegrity

/// The one-pass hashing (each byte read once, file and tensor streams fed from the same
/// chunk) against the two-pass reference: libcrypto's one-shot SHA-256 of the whole file and
/// of each tensor's bytes, on every path this CPU has.
@Suite struct HashJobRunnerTests {
    /// 1: libcrypto; 2: SHA-NI in pairs; 4: SHA-NI four at once (AVX).
    static let paths = [1] + (SHA256NI.available ? [2] : []) + (SHA256NI.fourWayAvailable ? [4] : [])

    /// A file laid out like a weight file: a 45-byte "header", then targets at odd offsets
    /// and lengths, zero-length ones (one between two tensors, one at the end), a gap no
    /// target covers, one target of a single byte and one spanning many chunks.
    struct Layout {
        let data: [UInt8]
        let targets: [Range<UInt64>]
        var whole: SHA256Digest { SHA256Digest.of(data) }
        var slices: [SHA256Digest] { targets.map { SHA256Digest.of(data[Int($0.lowerBound)..<Int($0.upperBound)]) } }

        init(size: Int, seed: UInt64) {
            data = Fx.bytes(size, seed: seed)
            let end = UInt64(size)
            targets = [45..<46, 46..<109, 109..<109, 109..<1000, 1000..<4096, 4096..<4096,  // 4096..<4097: a gap
                       4097..<9001, 9001..<end - 3, end..<end]
        }

        func write(to url: URL) throws { try Data(data).write(to: url) }
    }

    /// Chunk sizes that put chunk boundaries inside the header, inside tensors, on block
    /// boundaries and off them.
    static let chunkSizes = [64, 100, 1000, 4096, 1 << 20]

    @Test(arguments: paths)
    func combinedJobMatchesTwoPass(streams: Int) throws {
        let dir = try Fx.scratch("hjr")
        defer { Fx.remove(dir) }
        let layout = Layout(size: 70_001, seed: 31)
        let url = dir.appendingPathComponent("w.safetensors")
        try layout.write(to: url)
        let job = HashJob(path: url.path, span: 0..<70_001, targets: layout.targets, alsoHashSpan: true, expectedFileSize: 70_001)
        for chunk in Self.chunkSizes {
            let runner = HashJobRunner(chunkSize: chunk, streamsPerCore: streams)
            let buffers = runner.makeBuffers()
            defer { buffers.deallocate() }
            let got = try runner.hash([job], buffers: buffers)
            #expect(got == [[layout.whole] + layout.slices], "chunk \(chunk)")
        }
    }

    /// Two jobs side by side: two weight files of different sizes (one ends first and the
    /// other goes on alone), a weight file beside a plain file, two plain files, a tensor job
    /// without the file digest, and empty files.
    @Test(arguments: paths)
    func pairedJobsMatchTwoPass(streams: Int) throws {
        let dir = try Fx.scratch("hjr")
        defer { Fx.remove(dir) }
        let a = Layout(size: 70_001, seed: 32), b = Layout(size: 23_456, seed: 33)
        let plain = Fx.bytes(12_345, seed: 34)
        let (ua, ub, up, ue) = (dir.appendingPathComponent("a"), dir.appendingPathComponent("b"),
                                dir.appendingPathComponent("config.json"), dir.appendingPathComponent("empty"))
        try a.write(to: ua); try b.write(to: ub); try Data(plain).write(to: up); try Data().write(to: ue)
        func combined(_ l: Layout, _ u: URL) -> HashJob {
            HashJob(path: u.path, span: 0..<UInt64(l.data.count), targets: l.targets, alsoHashSpan: true, expectedFileSize: UInt64(l.data.count))
        }
        let tensorsOnly = HashJob(path: ua.path, span: 45..<9001, targets: Array(a.targets.prefix(while: { $0.upperBound <= 9001 })))
        let cases: [([HashJob], [[SHA256Digest]])] = [
            ([combined(a, ua), combined(b, ub)], [[a.whole] + a.slices, [b.whole] + b.slices]),
            ([combined(b, ub), combined(a, ua)], [[b.whole] + b.slices, [a.whole] + a.slices]),
            ([combined(a, ua), .wholeFile(path: up.path, size: 12_345)], [[a.whole] + a.slices, [SHA256Digest.of(plain)]]),
            ([.wholeFile(path: up.path, size: 12_345), .wholeFile(path: ub.path, size: 23_456)], [[SHA256Digest.of(plain)], [b.whole]]),
            ([tensorsOnly, combined(b, ub)], [Array(a.slices.prefix(tensorsOnly.targets.count)), [b.whole] + b.slices]),
            ([.wholeFile(path: ue.path, size: 0), combined(b, ub)], [[SHA256Digest.of([UInt8]())], [b.whole] + b.slices]),
        ]
        for chunk in Self.chunkSizes {
            let runner = HashJobRunner(chunkSize: chunk, streamsPerCore: streams)
            let buffers = runner.makeBuffers()
            defer { buffers.deallocate() }
            for (k, (unit, expected)) in cases.enumerated() {
                #expect(try runner.hash(unit, buffers: buffers) == expected, "case \(k) chunk \(chunk)")
            }
        }
    }

    /// A real safetensors folder (tensors of odd byte lengths at offsets that are not multiples
    /// of 64, a zero-element tensor) plus a non-weight file: the manifest is the same
    /// on every path, worker count and chunk size, and equals the two-pass digests.
    @Test func folderManifestIsTheSameOnEveryPath() throws {
        let dir = try Fx.scratch("hjr")
        defer { Fx.remove(dir) }
        var expected: [String: [SHA256Digest]] = [:]
        for (s, name) in ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"].enumerated() {
            let specs = [TensorSpec(name: "a", dtype: .u8, shape: [3]), TensorSpec(name: "empty", dtype: .f32, shape: [0, 5]),
                         TensorSpec(name: "b", dtype: .f16, shape: [7, 1001 + s]), TensorSpec(name: "c", dtype: .f32, shape: [1])]
            var bytes: [String: [UInt8]] = [:]
            for (i, spec) in specs.enumerated() { bytes[spec.name] = Fx.bytes(Int(try spec.byteCount()), seed: UInt64(40 + 10 * s + i)) }
            let url = dir.appendingPathComponent(name)
            try SafetensorsWriter.write(to: url, tensors: specs) { bytes[$0.name] ?? [] }
            let data = Array(try Data(contentsOf: url))
            let records = try SafetensorsFile(url: url).tensors.sorted { $0.fileRange.lowerBound < $1.fileRange.lowerBound }
            expected[name] = [SHA256Digest.of(data)] + records.map { SHA256Digest.of(data[Int($0.fileRange.lowerBound)..<Int($0.fileRange.upperBound)]) }
        }
        let config = Array("{\"model_type\": \"llama\"}\n".utf8)
        try Data(config).write(to: dir.appendingPathComponent("config.json"))
        expected["config.json"] = [SHA256Digest.of(config)]
        for streams in Self.paths {
            for workers in [1, 2, 3] {
                for chunk in [4096, 1 << 20] {
                    var parallel = ParallelHasher(chunkSize: chunk, workers: workers)
                    parallel.streamsPerCore = streams
                    let files = try FolderHasher(hasher: parallel).hash(folder: dir.path)
                    let got = Dictionary(uniqueKeysWithValues: files.map { ($0.path, [$0.sha256] + ($0.tensors ?? []).map(\.sha256)) })
                    #expect(got == expected, "streams \(streams) workers \(workers) chunk \(chunk)")
                }
            }
        }
    }

    @Test func aMissingSecondFileIsAnError() throws {
        let dir = try Fx.scratch("hjr")
        defer { Fx.remove(dir) }
        let url = dir.appendingPathComponent("f")
        try Data(Fx.bytes(1000, seed: 35)).write(to: url)
        for streams in Self.paths {
            let runner = HashJobRunner(chunkSize: 4096, streamsPerCore: streams)
            let buffers = runner.makeBuffers()
            defer { buffers.deallocate() }
            #expect(throws: IntegrityError.self) {
                try runner.hash([.wholeFile(path: url.path, size: 1000), .wholeFile(path: dir.appendingPathComponent("gone").path, size: 5)], buffers: buffers)
            }
            #expect(throws: IntegrityError.fileChangedWhileReading(path: url.path, expectedSize: 999, actualSize: 1000)) {
                try runner.hash([.wholeFile(path: url.path, size: 999)], buffers: buffers)
            }
        }
    }
}
