import Foundation

/// Everything that stops an audit. Each case names the folder, file, tensor or token so the
/// fault can be found from the message alone.
public enum AuditError: Error, Equatable, Sendable {
    /// A folder the audit reads does not exist (`role`: "world", "base model", …).
    case missingInput(role: String, path: String)
    /// A model folder that cannot be loaded (config, weights or tokenizer).
    case unreadableModel(role: String, path: String, reason: String)
    /// The world folder is not a fixture world (no or unreadable world.json, missing data).
    case notAWorld(path: String, reason: String)
    /// Two models (or a model and the world) do not share one vocabulary.
    case vocabularyMismatch(first: String, second: String, detail: String)
    /// Two models do not have the same parameters (names or shapes).
    case architectureMismatch(first: String, second: String, detail: String)
    /// An audit setting that cannot be used (empty grid, probe without examples, …).
    case invalidConfig(String)
    /// A caller-supplied results file (freeze ablation) that cannot be read.
    case unreadableResults(path: String, reason: String)
    /// Writing a report failed.
    case io(path: String, reason: String)
    /// A node layer name that the model does not have (degeneracy audit).
    case unknownLayer(name: String, available: String)
    /// A dataset with no usable rows or tokens.
    case emptyDataset(path: String, reason: String)
    /// NaN or infinite activations at a node layer, first seen in dataset row `row` (1-based line).
    case nonFiniteActivations(layer: String, row: Int)
    /// A layer whose statistics leave nothing to keep (rank-0 Gram, all Λ below the threshold).
    case degenerateLayer(layer: String, reason: String)
    /// A basis or VJP seed outside the f64 range (bases grow with depth; see SeedScale).
    case numericRange(layer: String)
}

extension AuditError: LocalizedError {
    public var errorDescription: String? {
        switch self {
        case let .missingInput(role, path): return "\(path): the \(role) folder does not exist"
        case let .unreadableModel(role, path, reason): return "\(path): cannot load the \(role): \(reason)"
        case let .notAWorld(path, reason): return "\(path): not a fixture world: \(reason)"
        case let .vocabularyMismatch(first, second, detail):
            return "\(first) and \(second) do not share a vocabulary: \(detail)"
        case let .architectureMismatch(first, second, detail):
            return "\(first) and \(second) do not have the same parameters: \(detail)"
        case let .invalidConfig(reason): return "invalid audit configuration: \(reason)"
        case let .unreadableResults(path, reason): return "\(path): \(reason)"
        case let .io(path, reason): return "\(path): \(reason)"
        case let .unknownLayer(name, available): return "no node layer '\(name)' (the model has \(available))"
        case let .emptyDataset(path, reason): return "\(path): \(reason)"
        case let .nonFiniteActivations(layer, row): return "non-finite activations at \(layer) (dataset line \(row))"
        case let .degenerateLayer(layer, reason): return "\(layer): \(reason)"
        case let .numericRange(layer):
            return "\(layer): the interaction basis grew beyond the f64 range (it grows with every layer above it); audit fewer layers with --layers"
        }
    }

    /// Whether the fault lies in the input data (exit 65) rather than the run (exit 1).
    public var isBadInput: Bool {
        switch self {
        case .missingInput, .unreadableModel, .notAWorld, .vocabularyMismatch, .architectureMismatch, .unreadableResults,
             .unknownLayer, .emptyDataset, .nonFiniteActivations, .degenerateLayer, .numericRange: return true
        case .invalidConfig, .io: return false
        }
    }
}
