import Foundation
@testable import TemperText

/// Locates committed fixtures from this file's path: Tests/TemperTextTests/ → repo root.
enum FixturePaths {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func text(_ name: String) -> URL { root.appendingPathComponent("text").appendingPathComponent(name) }

    static func tokenizer(_ name: String) throws -> Tokenizer { try Tokenizer.load(text("\(name).json")) }

    /// A fresh temporary folder, removed by the caller.
    static func temporaryFolder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tempertext-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}

/// Exact (scalar-by-scalar) string equality; Swift's `==` is canonical equivalence.
func sameScalars(_ a: String, _ b: String) -> Bool { a.unicodeScalars.elementsEqual(b.unicodeScalars) }
