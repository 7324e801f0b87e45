import Foundation
import Testing

/// Shared pieces of the model-command tests: fixture paths, JSON output, float comparison.
enum ModelFixture {
    static let tinyLlama = CLI.fixtures.appendingPathComponent("tiny-llama").path
    static let world = CLI.fixtures.appendingPathComponent("world").path
    static let worldModel = CLI.fixtures.appendingPathComponent("world/model").path
    static let harmfulTrain = CLI.fixtures.appendingPathComponent("world/data/harmful_a_train.jsonl").path

    static func models(_ name: String) -> String { CLI.fixtures.appendingPathComponent("models/\(name)").path }

    /// A committed JSON file as a dictionary.
    static func json(_ relativePath: String) throws -> [String: Any] {
        let data = try Data(contentsOf: CLI.fixtures.appendingPathComponent(relativePath))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }
}

extension CLIResult {
    /// stdout parsed as a JSON object (the command must have succeeded).
    func object() throws -> [String: Any] {
        #expect(status == 0, "exit \(status): \(stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any], "stdout: \(stdout)")
    }
}

/// Rows of numbers from JSON (`[[Double]]`), failing the test when the shape is not that.
func numberRows(_ value: Any?) throws -> [[Double]] {
    let rows = try #require(value as? [[Any]])
    return try rows.map { row in try row.map { try #require(($0 as? NSNumber)?.doubleValue) } }
}

/// Largest |a − b| over two equally shaped tables (infinity when the shapes differ).
func maxAbsDifference(_ a: [[Double]], _ b: [[Double]]) -> Double {
    guard a.count == b.count, zip(a, b).allSatisfy({ $0.count == $1.count }) else { return .infinity }
    return zip(a, b).flatMap { zip($0, $1).map { abs($0 - $1) } }.max() ?? 0
}
