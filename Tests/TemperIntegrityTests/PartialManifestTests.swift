import Foundation
import Testing
import TemperFormats
@testable import TemperIntegrity

@Suite struct PartialManifestTests {
    /// The signed fixture folder plus a provenance file (left out of manifests) and a few
    /// files of different sizes, so that parts differ.
    static func folder() throws -> (root: URL, model: URL) {
        let (root, model) = try Fx.copyOfSignedModel()
        for (i, size) in [5000, 17, 0, 900].enumerated() {
            try Data(Fx.bytes(size, seed: UInt64(i))).write(to: model.appendingPathComponent("extra-\(i).bin"))
        }
        try Fx.write("{}\n", to: model.appendingPathComponent(ProvenanceLog.fileName))
        return (root, model)
    }

    @Test(arguments: [1, 2, 3, 5, 12])
    func partsMergeToTheSingleMachineManifest(parts: Int) throws {
        let (root, model) = try Self.folder()
        defer { Fx.remove(root) }
        let whole = try ManifestBuilder().build(path: model.path)
        let partials = try (1...parts).map { try ManifestBuilder().buildPart(path: model.path, part: $0, of: parts) }
        // Every file is hashed exactly once across the parts.
        #expect(partials.flatMap { $0.files.map(\.path) }.sorted() == whole.files.map(\.path).sorted())
        // Through the file format and back, in any order.
        let reread = try partials.reversed().map { p in
            (path: "part\(p.part)", manifest: try PartialManifest.parse(p.canonicalBytes, path: "part\(p.part)"))
        }
        let merged = try ManifestMerge.merge(reread)
        #expect(merged.canonicalBytes == whole.canonicalBytes)
        #expect(merged.digest == whole.digest)
    }

    @Test func partitionIsBalancedAndDeterministic() {
        let listing = ManifestListing((0..<8).map { ManifestListing.Entry(path: "f\($0)", size: UInt64(100 * ($0 + 1))) })
        let a = FolderPartition.assign(listing.entries, parts: 3)
        #expect(a == FolderPartition.assign(listing.entries, parts: 3))
        var load = [UInt64](repeating: 0, count: 3)
        for (i, p) in a.enumerated() { load[p] += listing.entries[i].size }
        // Largest first onto the least loaded part: 800|700|600, 500→600+… ends within one file's size.
        #expect((load.max() ?? 0) - (load.min() ?? 0) <= 800)
        #expect(Set(a) == [0, 1, 2])
    }

    @Test func mergeRefusesPartsThatDoNotBelongTogether() throws {
        let (root, model) = try Self.folder()
        defer { Fx.remove(root) }
        let b = ManifestBuilder()
        let p1 = try b.buildPart(path: model.path, part: 1, of: 2), p2 = try b.buildPart(path: model.path, part: 2, of: 2)
        func merge(_ parts: [PartialManifest]) throws -> Manifest {
            try ManifestMerge.merge(parts.enumerated().map { (path: "p\($0.offset)", manifest: $0.element) })
        }
        #expect(throws: IntegrityError.self) { try merge([p1]) }  // part 2 missing
        #expect(throws: IntegrityError.self) { try merge([p1, p1, p2]) }  // part 1 twice
        let third = try b.buildPart(path: model.path, part: 3, of: 3)
        #expect(throws: IntegrityError.self) { try merge([p1, p2, third]) }  // another split
        // The folder changed between machines: the listings differ.
        try Data(Fx.bytes(10, seed: 9)).write(to: model.appendingPathComponent("late.bin"))
        let changed = try b.buildPart(path: model.path, part: 2, of: 2)
        #expect(throws: IntegrityError.self) { try merge([p1, changed]) }
        // A part that swapped a file in from another part, or dropped one of its own.
        var stolen = p1
        stolen.files += p2.files.prefix(1)
        #expect(throws: IntegrityError.self) { try merge([stolen, p2]) }
        var short = p2
        short.files.removeLast()
        #expect(throws: IntegrityError.self) { try merge([p1, short]) }
    }

    @Test func parseRefusesUnknownKeysAndBadPartNumbers() throws {
        let (root, model) = try Self.folder()
        defer { Fx.remove(root) }
        let text = String(decoding: try ManifestBuilder().buildPart(path: model.path, part: 1, of: 2).canonicalBytes, as: UTF8.self)
        for bad in [text.replacingOccurrences(of: "\"part\": 1", with: "\"part\": 3"),
                    text.replacingOccurrences(of: "\"part\": 1", with: "\"part\": 0"),
                    text.replacingOccurrences(of: "\"hash_type\"", with: "\"extra\": 1,\n  \"hash_type\"")] {
            #expect(throws: IntegrityError.self) { try PartialManifest.parse(Array(bad.utf8), path: "p") }
        }
    }

    @Test func signWithMergedManifestEqualsSigningByReading() throws {
        let (root, model) = try Self.folder()
        defer { Fx.remove(root) }
        let key = try ECPrivateKey.generate()
        let parts = try (1...3).map { (path: "p\($0)", manifest: try ManifestBuilder().buildPart(path: model.path, part: $0, of: 3)) }
        var options = SigningOptions()
        options.manifest = try ManifestMerge.merge(parts)
        let fromManifest = try ModelSigner.sign(folder: model.path, key: key, options: options)
        let statementFromManifest = try ModelVerifier.checkSignature(at: fromManifest.signature, key: try key.publicKey()).statement
        #expect(try ModelVerifier.verify(folder: model.path, key: try key.publicKey()).ok)
        let byReading = try ModelSigner.sign(folder: model.path, key: key)
        let statementByReading = try ModelVerifier.checkSignature(at: byReading.signature, key: try key.publicKey()).statement
        #expect(statementFromManifest.bytes == statementByReading.bytes)
        #expect(fromManifest.manifestDigest == byReading.manifestDigest)
    }

    @Test func signRefusesAManifestOfAnotherFolderState() throws {
        let (root, model) = try Self.folder()
        defer { Fx.remove(root) }
        var options = SigningOptions()
        options.manifest = try ManifestBuilder().build(path: model.path)
        let signature = model.appendingPathComponent("model.sig")
        let before = try Data(contentsOf: signature)
        // A file added after the manifest was built, then one whose size changed.
        try Data([1, 2, 3]).write(to: model.appendingPathComponent("added.bin"))
        #expect(throws: IntegrityError.self) { try ModelSigner.sign(folder: model.path, key: try ECPrivateKey.generate(), options: options) }
        try FileManager.default.removeItem(at: model.appendingPathComponent("added.bin"))
        try Data(Fx.bytes(18, seed: 1)).write(to: model.appendingPathComponent("extra-1.bin"))
        #expect(throws: IntegrityError.self) { try ModelSigner.sign(folder: model.path, key: try ECPrivateKey.generate(), options: options) }
        #expect(try Data(contentsOf: signature) == before)  // the old signature is untouched
    }
}
