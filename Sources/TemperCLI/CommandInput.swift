import ArgumentParser
import Foundation
import TemperFormats

/// A command line that cannot work, found while running (exit 64, printed without the
/// usage text that ArgumentParser adds to `ValidationError`s).
struct UsageError: Error, LocalizedError, ExitCoded {
    let message: String
    init(_ message: String) { self.message = message }
    var errorDescription: String? { message }
    var exitCode: Int32 { 64 }
}

/// Checks on paths and lists given on the command line.
enum InputPath {
    /// The URL of `path`, or `FormatError.notFound` (exit 64) when nothing is there.
    static func require(_ path: String) throws -> URL {
        guard !path.isEmpty else { throw UsageError("an empty path was given") }
        guard FileManager.default.fileExists(atPath: path) else { throw FormatError.notFound(path: path) }
        return URL(fileURLWithPath: path)
    }

    /// A model argument: a local path when one is there, else a Hugging Face model id
    /// (`ORG/NAME` or `ORG/NAME@REV`) resolved offline to its snapshot in the hub cache.
    static func model(_ path: String) throws -> URL {
        guard !path.isEmpty else { throw UsageError("an empty path was given where a model was expected") }
        if FileManager.default.fileExists(atPath: path) { return URL(fileURLWithPath: path) }
        guard HubCache.parseModelID(path) != nil else { throw FormatError.notFound(path: path) }
        return try HubCache.resolve(modelID: path)
    }
}

/// A comma-separated list of token ids (`--ids 1,2,3`).
struct TokenIdList: ExpressibleByArgument {
    let ids: [Int]

    init?(argument: String) {
        let parts = argument.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        let values = parts.compactMap { Int($0) }
        guard !parts.isEmpty, values.count == parts.count else { return nil }
        ids = values
    }
}
