import Foundation
import TemperFormats
import Testing
@testable import TemperIntegrity

@Suite struct ProvenanceLogTests {
    let builder = ManifestBuilder(tensorLister: TensorListing.none)

    func record(_ op: String, base: SHA256Digest?, output: SHA256Digest, seed: UInt64? = 42) throws -> ProvenanceRecord {
        let config: OrderedJSON = .object([JSONMember("zeta", .number("1")), JSONMember("alpha", .double(0.5)),
                                          JSONMember("steps", .array([.number("1"), .number("2")]))])
        return ProvenanceRecord(operation: op, config: config, temperVersion: "0.1.0", seed: seed,
                                started: Date(timeIntervalSince1970: 1_700_000_000), finished: Date(timeIntervalSince1970: 1_700_000_001.25),
                                baseManifest: base, outputManifest: output)
    }

    @Test func chainHoldsAndBreaksWhereItShould() throws {
        let dir = try Fx.scratch("prov")
        defer { Fx.remove(dir) }
        try Fx.write("weights v0", to: dir.appendingPathComponent("w.bin"))
        let d0 = try builder.digest(folder: dir.path)
        try ProvenanceLog.append(try record("convert", base: nil, output: d0), folder: dir.path)
        #expect(try ProvenanceLog.verifyChain(folder: dir.path, builder: builder).ok)

        // The provenance file, a manifest and a signature do not change the digest.
        try Fx.write("{}", to: dir.appendingPathComponent(Manifest.fileName))
        try Fx.write("sig", to: dir.appendingPathComponent("model.sig"))
        try Fx.write("x", to: dir.appendingPathComponent(".git/HEAD"))
        #expect(try builder.digest(folder: dir.path) == d0)

        try Fx.write("weights v1", to: dir.appendingPathComponent("w.bin"))
        let d1 = try builder.digest(folder: dir.path)
        #expect(d1 != d0)
        try ProvenanceLog.append(try record("repnoise", base: d0, output: d1, seed: UInt64.max), folder: dir.path)
        let good = try ProvenanceLog.verifyChain(folder: dir.path, builder: builder)
        #expect(good.ok && good.links.count == 2 && good.currentManifestSHA256 == d1.hex)

        try Fx.write("weights v2", to: dir.appendingPathComponent("w.bin"))
        let stale = try ProvenanceLog.verifyChain(folder: dir.path, builder: builder)
        #expect(!stale.ok && stale.links.map(\.ok) == [true, false])

        try Fx.write("weights v1", to: dir.appendingPathComponent("w.bin"))
        let records = try ProvenanceLog.read(folder: dir.path)
        let broken = [records[0], try record("repnoise", base: SHA256Digest.of([9]), output: d1)]
        try Data(ProvenanceLog.bytes(broken)).write(to: dir.appendingPathComponent(ProvenanceLog.fileName))
        #expect(try ProvenanceLog.verifyChain(folder: dir.path, builder: builder).links.map(\.ok) == [false, true])
    }

    @Test func recordsRoundTripWithOrderedConfig() throws {
        let dir = try Fx.scratch("prov")
        defer { Fx.remove(dir) }
        let r = try record("convert", base: SHA256Digest.of([1]), output: SHA256Digest.of([2]), seed: UInt64.max)
        try ProvenanceLog.append(r, folder: dir.path)
        let back = try ProvenanceLog.read(folder: dir.path)
        #expect(back == [r])
        #expect(back[0].config.members?.map(\.key) == ["zeta", "alpha", "steps"])
        #expect(back[0].started == "2023-11-14T22:13:20.000Z")
        let text = String(decoding: try Data(contentsOf: dir.appendingPathComponent(ProvenanceLog.fileName)), as: UTF8.self)
        #expect(text.hasPrefix("[\n  {\n    \"operation\": \"convert\",\n    \"config\": {\n      \"zeta\": 1,"))
        #expect(text.contains("\"seed\": 18446744073709551615"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == [ProvenanceLog.fileName])
    }

    @Test func recordRewriteLinksInputToOutput() throws {
        let dir = try Fx.scratch("prov")
        defer { Fx.remove(dir) }
        let a = dir.appendingPathComponent("a"), b = dir.appendingPathComponent("b")
        try Fx.write("v0", to: a.appendingPathComponent("w.bin"))
        try ProvenanceLog.recordRewrite(operation: "import", config: .object([]), temperVersion: "0.1.0", seed: nil,
                                        started: Date(), input: nil, output: a.path, builder: builder)
        try Fx.write("v1", to: b.appendingPathComponent("w.bin"))
        let r = try ProvenanceLog.recordRewrite(operation: "repnoise", config: .object([JSONMember("lr", .double(1e-5))]),
                                                temperVersion: "0.1.0", seed: 7, started: Date(), input: a.path, output: b.path, builder: builder)
        #expect(r.baseManifestSHA256 == (try builder.digest(folder: a.path)).hex)
        let chain = try ProvenanceLog.verifyChain(folder: b.path, builder: builder)
        #expect(chain.ok && chain.records.map(\.operation) == ["import", "repnoise"])
        #expect(chain.records[1].config["lr"] == .number("1e-05"))
    }

    @Test func emptyFolderHasNoChain() throws {
        let dir = try Fx.scratch("prov")
        defer { Fx.remove(dir) }
        let report = try ProvenanceLog.verifyChain(folder: dir.path, builder: builder)
        #expect(!report.ok && report.records.isEmpty)
    }

    @Test func malformedProvenanceIsRefused() throws {
        let dir = try Fx.scratch("prov")
        defer { Fx.remove(dir) }
        try ProvenanceLog.append(try record("convert", base: nil, output: SHA256Digest.of([2])), folder: dir.path)
        let url = dir.appendingPathComponent(ProvenanceLog.fileName)
        let good = String(decoding: try Data(contentsOf: url), as: UTF8.self)
        let edits: [(String, String)] = [
            ("\"seed\": 42", "\"seed\": -1"),
            ("\"seed\": 42", "\"seed\": 42, \"extra\": true"),
            ("\"started\": \"2023", "\"started\": \"yesterday 2023"),
            ("\"operation\": \"convert\"", "\"operation\": \"\""),
            ("\"output_manifest_sha256\": \"", "\"output_manifest_sha256\": \"AB"),
            ("\"temper_version\": \"0.1.0\",", ""),
            ("[\n", "{\"a\": [\n"),
        ]
        for (from, to) in edits {
            #expect(good.contains(from), "fixture lacks \(from)")
            try Data(good.replacingOccurrences(of: from, with: to).utf8).write(to: url)
            #expect(throws: IntegrityError.self, "\(to)") { try ProvenanceLog.read(folder: dir.path) }
        }
    }
}
