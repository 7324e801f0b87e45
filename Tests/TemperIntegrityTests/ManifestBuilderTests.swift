import Foundation
import Testing
import TemperFormats
@testable import TemperIntegrity

@Suite struct ManifestBuilderTests {
    @Test func folderManifestEqualsPythonReference() throws {
        // make_signed_fixture.py wrote temper.manifest.json from Python's own reading of the files.
        let expected = Array(try Data(contentsOf: Fx.model.appendingPathComponent(Manifest.fileName)))
        for workers in [1, 2, 4] {
            for streams in HashJobRunnerTests.paths {
                var builder = ManifestBuilder(hasher: ParallelHasher(chunkSize: 4096, workers: workers))
                builder.hasher.hasher.streamsPerCore = streams
                builder.hasher.tensorGroupBytes = 300  // several tensor jobs per file
                #expect(try builder.build(path: Fx.model.path).canonicalBytes == expected, "workers \(workers) streams \(streams)")
            }
        }
    }

    @Test func singleFileManifest() throws {
        let path = Fx.model.appendingPathComponent("head.safetensors").path
        let m = try ManifestBuilder().build(path: path)
        let reference = try Manifest.parse(Array(try Data(contentsOf: Fx.model.appendingPathComponent(Manifest.fileName))), path: "m")
        #expect(m.files == [reference.file("head.safetensors")].compactMap { $0 })
    }

    @Test func malformedWeightFileIsAnErrorNamingIt() throws {
        let dir = try Fx.scratch("mb")
        defer { Fx.remove(dir) }
        let bad = dir.appendingPathComponent("bad.safetensors")
        try Data([1, 2, 3]).write(to: bad)
        #expect(throws: FormatError.self) { try ManifestBuilder().build(path: dir.path) }
        #expect(try ManifestBuilder(tensorLister: TensorListing.none).build(path: dir.path).files.map(\.path) == ["bad.safetensors"])
    }
}
