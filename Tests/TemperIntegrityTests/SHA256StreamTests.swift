import Foundation
import Testing
@testable import TemperIntegrity

@Suite struct SHA256StreamTests {
    @Test func knownVectors() {
        #expect(SHA256Digest.of([UInt8]()).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256Digest.of(Array("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let stream = SHA256Stream()
        let block = [UInt8](repeating: 0x61, count: 1000)
        for _ in 0..<1000 { stream.update(block) }
        #expect(stream.finalize().hex == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func streamingInPiecesMatchesOneShot() {
        let data = Fx.bytes(100_003, seed: 1)
        let stream = SHA256Stream()
        var i = 0, step = 1
        while i < data.count {
            let end = min(data.count, i + step)
            data[i..<end].withUnsafeBytes { stream.update($0) }
            i = end; step = step * 3 + 1
        }
        let digest = stream.finalize()
        #expect(digest == SHA256Digest.of(data))
        #expect(stream.finalize() == digest)  // finalize is idempotent
    }

    @Test func hexRoundTripAndRejects() {
        let d = SHA256Digest.of(Array("x".utf8))
        #expect(SHA256Digest(hex: d.hex) == d)
        #expect(SHA256Digest(hex: d.hex.uppercased()) == d)
        #expect(SHA256Digest(hex: String(d.hex.dropLast())) == nil)
        #expect(SHA256Digest(hex: String(d.hex.dropLast()) + "g") == nil)
    }
}
