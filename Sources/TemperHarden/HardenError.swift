import Foundation

/// Everything that can go wrong while hardening a checkpoint, with the row, step or path
/// it concerns.
public enum HardenError: Error, LocalizedError, Equatable {
    /// A harmful row without a refusal to pair it with.
    case unpairedRow(index: Int, prompt: String)
    /// Harmful and refusal rows that do not belong together (other prompt, other count,
    /// prompt tokens that differ).
    case mismatchedPair(index: Int, reason: String)
    /// A pair whose harmful answer and refusal have no differing token (nothing to learn).
    case emptyMask(index: Int, prompt: String)
    /// A batch in which no labelled token is selected by the mask.
    case emptyBatchMask(what: String)
    case emptyData(String)
    case invalidConfig(String)
    /// The model does not expose what the loss needs (MLP outputs per block, residuals).
    case missingLayers(path: String, reason: String)
    /// The loss or gradient stopped being finite; the weights before that step were kept
    /// (at `lastGood` when they could be saved).
    case nonFiniteLoss(step: Int, detail: String, lastGood: String?)

    public var errorDescription: String? {
        switch self {
        case let .unpairedRow(index, prompt):
            return "harmful row \(index) ('\(prompt)') has no refusal to pair it with"
        case let .mismatchedPair(index, reason):
            return "pair \(index) does not match: \(reason)"
        case let .emptyMask(index, prompt):
            return "pair \(index) ('\(prompt)'): the harmful answer and the refusal have no differing token, so the mask is empty"
        case let .emptyBatchMask(what):
            return "empty mask: no labelled token is selected for \(what)"
        case let .emptyData(what):
            return "no data: \(what)"
        case let .invalidConfig(what):
            return "invalid configuration: \(what)"
        case let .missingLayers(path, reason):
            return "\(path): the model lacks the layers the loss needs: \(reason)"
        case let .nonFiniteLoss(step, detail, lastGood):
            let kept = lastGood.map { "; the last good weights (before step \(step)) are saved in \($0)" }
                ?? "; no weights were written"
            return "training stopped at step \(step): \(detail)\(kept)"
        }
    }

    /// Whether the error is about the input data (rows, pairs) rather than the run.
    public var isBadInput: Bool {
        switch self {
        case .unpairedRow, .mismatchedPair, .emptyMask, .emptyBatchMask, .emptyData, .missingLayers: return true
        case .invalidConfig, .nonFiniteLoss: return false
        }
    }
}
