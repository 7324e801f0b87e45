import Foundation
import TemperFormats
import Testing
@testable import TemperIntegrity

@Suite struct SigstoreBundleTests {
    static let sigPath = Fx.model.appendingPathComponent("model.sig")

    @Test func reproducesModelSigningBytesExactly() throws {
        let bytes = Array(try Data(contentsOf: Self.sigPath))
        let bundle = try SigstoreBundle.parse(bytes, path: "model.sig")
        #expect(bundle.bytes == bytes)
        // The payload layout is protobuf MessageToJson's: re-serialising the parsed value
        // (same key order) gives the signed bytes back.
        let payload = try JSONDocument.parse(bundle.payload, path: "payload")
        #expect(payload.serialized(style: .pythonIndented(2)) == bundle.payload)
        let statement = try InTotoStatement.parse(bundle.payload, path: "model.sig")
        #expect(Set(statement.ignorePaths) == Set(IgnoreRules.gitPaths + ["model.sig"]))
        #expect(statement.allowSymlinks == false)
        #expect(statement.resources.map(\.name).contains(Manifest.fileName))
    }

    @Test func paeIsDSSEv1() {
        #expect(DSSE.pae(payloadType: "http://example.com/HelloWorld", payload: Array("hello world".utf8))
            == Array("DSSEv1 29 http://example.com/HelloWorld 11 hello world".utf8))
    }

    @Test func malformedBundlesAreTypedErrors() throws {
        let good = Array(try Data(contentsOf: Self.sigPath))
        var cases: [[UInt8]] = [[], Array("not json".utf8), Array("[]".utf8)]
        for cut in [1, 10, good.count / 2, good.count - 1] { cases.append(Array(good.prefix(cut))) }
        let text = String(decoding: good, as: UTF8.self)
        cases.append(Array(text.replacingOccurrences(of: "bundle.v0.3", with: "bundle.v0.2").utf8))
        cases.append(Array(text.replacingOccurrences(of: "\"payload\":\"", with: "\"payload\":\"!!").utf8))
        cases.append(Array(text.replacingOccurrences(of: "\"sig\":", with: "\"nosig\":").utf8))
        cases.append(Array(text.replacingOccurrences(of: "\"dsseEnvelope\"", with: "\"envelope\"").utf8))
        for bytes in cases {
            do {
                _ = try SigstoreBundle.parse(bytes, path: "model.sig")
                Issue.record("accepted \(String(decoding: bytes.prefix(40), as: UTF8.self))")
            } catch let IntegrityError.malformedBundle(path, _) {
                #expect(path == "model.sig")
            }
        }
    }
}
