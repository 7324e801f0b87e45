import ArgumentParser
import Foundation

/// `--json` on every command: results as data on stdout.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print the result as JSON on stdout.")
    var json = false
}

enum Output {
    /// Writes a line to stdout.
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// Pretty, key-sorted JSON for results.
    static func json<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        FileHandle.standardOutput.write(data)
        FileHandle.standardOutput.write(Data("\n".utf8))
    }

    /// Progress and diagnostics: stderr only.
    static func progress(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
