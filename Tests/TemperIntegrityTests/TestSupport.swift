import Foundation
@testable import TemperIntegrity

/// Fixture paths and scratch folders for the integrity tests.
enum Fx {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let integrity = repo.appendingPathComponent("Fixtures/integrity")
    static let signed = integrity.appendingPathComponent("signed-by-model-signing")
    static let model = signed.appendingPathComponent("model")
    static let keys = integrity.appendingPathComponent("keys")

    static func path(_ relative: String) -> String { integrity.appendingPathComponent(relative).path }

    /// A fresh empty folder, removed by the returned cleanup closure.
    static func scratch(_ label: String = "t") throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("temper-integrity-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A copy of the signed fixture model folder inside a scratch folder.
    static func copyOfSignedModel() throws -> (root: URL, model: URL) {
        let root = try scratch("model")
        let model = root.appendingPathComponent("model")
        try FileManager.default.copyItem(at: Fx.model, to: model)
        return (root, model)
    }

    static func write(_ text: String, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    static func remove(_ url: URL) { _ = try? FileManager.default.removeItem(at: url) }

    /// Deterministic pseudo-random bytes.
    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        return (0..<count).map { _ in
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        }
    }
}
