import Foundation
import Testing
@testable import TemperIntegrity

@Suite struct ManifestTests {
    static let pythonManifest = Fx.model.appendingPathComponent(Manifest.fileName)

    @Test func pythonWrittenManifestRoundTripsByteForByte() throws {
        let bytes = Array(try Data(contentsOf: Self.pythonManifest))
        let manifest = try Manifest.parse(bytes, path: "m")
        #expect(manifest.canonicalBytes == bytes)
        #expect(manifest.digest == SHA256Digest.of(bytes))
        #expect(manifest.file("model.safetensors")?.tensors?.count == 5)
        #expect(manifest.file("config.json")?.tensors == nil)
    }

    @Test func filesAreSortedByPathComponents() {
        let d = SHA256Digest.of([UInt8]())
        let m = Manifest(files: ["b", "a-c", "a/z", "a/b/c"].map { FileDigest(path: $0, size: 0, sha256: d) })
        #expect(m.files.map(\.path) == ["a/b/c", "a/z", "a-c", "b"])
    }

    @Test func malformedManifestsAreRefused() throws {
        let good = String(decoding: try Data(contentsOf: Self.pythonManifest), as: UTF8.self)
        let edits: [(String, String)] = [
            ("\"version\": 1", "\"version\": 2"),
            ("\"hash_type\": \"sha256\"", "\"hash_type\": \"md5\""),
            ("\"format\": \"temper.manifest\"", "\"format\": \"other\""),
            ("\"path\": \"config.json\"", "\"path\": \"config.json\", \"extra\": 1"),
            ("\"size\": 74", "\"size\": -74"),
            ("\"path\": \"head.safetensors\"", "\"path\": \"config.json\""),
            ("\"dtype\": \"F32\"", "\"dtype\": 5"),
            ("\"byte_range\": [", "\"byte_range\": [1, "),
        ]
        for (from, to) in edits {
            #expect(good.contains(from), "fixture lacks \(from)")
            let bytes = Array(good.replacingOccurrences(of: from, with: to).utf8)
            #expect(throws: IntegrityError.self, "\(to)") { try Manifest.parse(bytes, path: "m") }
        }
    }
}
