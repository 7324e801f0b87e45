import Foundation
import Testing
@testable import TemperIntegrity

@Suite struct ParallelHasherTests {
    @Test func wholeFilesMatchOneShotDigests() throws {
        let dir = try Fx.scratch("ph")
        defer { Fx.remove(dir) }
        let sizes = [0, 1, 4095, 4096, 4097, 70_000, 300_001]
        var files: [(path: String, size: UInt64)] = []
        var expected: [SHA256Digest] = []
        for (i, size) in sizes.enumerated() {
            let data = Fx.bytes(size, seed: UInt64(i + 10))
            let url = dir.appendingPathComponent("f\(i)")
            try Data(data).write(to: url)
            files.append((url.path, UInt64(size)))
            expected.append(SHA256Digest.of(data))
        }
        // Small chunks so every file crosses several chunk boundaries.
        for workers in [1, 3] {
            for streams in HashJobRunnerTests.paths {
                var hasher = ParallelHasher(chunkSize: 4096, workers: workers)
                hasher.streamsPerCore = streams
                #expect(try hasher.hashFiles(files) == expected, "workers \(workers) streams \(streams)")
            }
        }
    }

    @Test func rangeTargetsMatchSliceDigests() throws {
        let dir = try Fx.scratch("ph")
        defer { Fx.remove(dir) }
        let data = Fx.bytes(50_000, seed: 3)
        let url = dir.appendingPathComponent("w")
        try Data(data).write(to: url)
        let targets: [Range<UInt64>] = [100..<100, 100..<9000, 9000..<9001, 9001..<20_000, 30_000..<50_000]
        let slices = targets.map { SHA256Digest.of(data[Int($0.lowerBound)..<Int($0.upperBound)]) }
        let job = HashJob(path: url.path, span: 100..<50_000, targets: targets, expectedFileSize: 50_000)
        var combined = job
        combined.span = 0..<50_000
        combined.alsoHashSpan = true
        for streams in HashJobRunnerTests.paths {
            var hasher = ParallelHasher(chunkSize: 4096, workers: 1)
            hasher.streamsPerCore = streams
            let got = try hasher.run([job, .wholeFile(path: url.path, size: 50_000), combined])
            #expect(got[0] == slices)
            #expect(got[1] == [SHA256Digest.of(data)])
            #expect(got[2] == [SHA256Digest.of(data)] + slices)
        }
    }

    /// Four equal weight files and two small files on two cores: the weight files go in two
    /// pairs (four streams per core), the small files together, costliest unit first.
    @Test func unitsPairSimilarJobsAndKeepEveryWorkerBusy() {
        var hasher = ParallelHasher(workers: 2)
        hasher.streamsPerCore = 4
        let shard = { (k: Int) in HashJob(path: "s\(k)", span: 0..<1000, targets: [8..<500, 500..<1000], alsoHashSpan: true) }
        let jobs = [HashJob.wholeFile(path: "config", size: 20), shard(0), shard(1), shard(2), shard(3), .wholeFile(path: "tok", size: 30)]
        #expect(hasher.units(jobs) == [[1, 2], [3, 4], [5, 0]])
        // Two jobs, two cores: no pair. A long job is not paired with a much shorter one.
        #expect(hasher.units(Array(jobs[1...2])) == [[0], [1]])
        let long = HashJob.wholeFile(path: "big", size: 10_000)
        #expect(hasher.units([long, shard(0), shard(1), shard(2)]) == [[0], [1, 2], [3]])
        // libcrypto: one job per unit, costliest first.
        hasher.streamsPerCore = 1
        #expect(hasher.units(jobs) == [[1], [2], [3], [4], [5], [0]])
    }

    @Test func sizeChangeAndMissingFileAreErrors() throws {
        let dir = try Fx.scratch("ph")
        defer { Fx.remove(dir) }
        let url = dir.appendingPathComponent("f")
        try Data(Fx.bytes(1000, seed: 4)).write(to: url)
        #expect(throws: IntegrityError.fileChangedWhileReading(path: url.path, expectedSize: 2000, actualSize: 1000)) {
            try ParallelHasher().hashFiles([(url.path, 2000)])
        }
        let missing = dir.appendingPathComponent("gone").path
        #expect(throws: IntegrityError.self) { try ParallelHasher().hashFiles([(missing, 1)]) }
    }
}
