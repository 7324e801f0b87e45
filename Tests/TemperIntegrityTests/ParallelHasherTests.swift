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
            for interleave in [false, true] {
                let hasher = ParallelHasher(chunkSize: 4096, workers: workers, interleave: interleave)
                #expect(try hasher.hashFiles(files) == expected, "workers \(workers) interleave \(interleave)")
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
        for interleave in [false, true] {
            let got = try ParallelHasher(chunkSize: 4096, workers: 2, interleave: interleave)
                .run([job, .wholeFile(path: url.path, size: 50_000), combined])
            #expect(got[0] == slices)
            #expect(got[1] == [SHA256Digest.of(data)])
            #expect(got[2] == [SHA256Digest.of(data)] + slices)
        }
    }

    @Test func pairingKeepsEveryWorkerBusy() {
        let hasher = ParallelHasher(workers: 2, interleave: true)
        let jobs = (0..<5).map { HashJob.wholeFile(path: "f\($0)", size: UInt64(100 + $0)) }
        let (paired, slots) = hasher.pairWholeFiles(jobs)
        if SHA256NI.available {
            #expect(paired.count == 3 && paired.filter { $0.partner != nil }.count == 2)
            #expect(hasher.pairWholeFiles(Array(jobs.prefix(2))).jobs.count == 2)  // two files, two cores: no pair
        }
        for (k, slot) in slots.enumerated() {
            let job = paired[slot.job]
            #expect((slot.digest == 0 ? job.path : job.partner?.path) == "f\(k)")
        }
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
