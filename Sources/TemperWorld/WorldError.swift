import Foundation

public enum WorldError: Error, LocalizedError, Equatable {
    case emptyData(String)
    case invalidConfig(String)
    case notAWorld(path: String, reason: String)
    /// The model's tokenizer or vocabulary is not the world's.
    case tokenizerMismatch(path: String, reason: String)
    /// A split name the world does not have.
    case unknownSplit(world: String, split: String)

    public var errorDescription: String? {
        switch self {
        case let .emptyData(what): return "empty data: \(what)"
        case let .invalidConfig(what): return "invalid configuration: \(what)"
        case let .notAWorld(path, reason): return "\(path): not a fixture world: \(reason)"
        case let .tokenizerMismatch(path, reason): return "\(path): does not match the world's tokenizer: \(reason)"
        case let .unknownSplit(world, split):
            return "\(world): the world has no split '\(split)' (splits: \(WorldDatasets.splitNames.joined(separator: ", ")))"
        }
    }
}
