import Foundation

/// Everything that can go wrong while hardening, attacking or evaluating a checkpoint, with
/// the file, row, step or setting it concerns.
public enum HardenError: Error, LocalizedError, Equatable {
    /// A harmful row without a refusal to pair it with (`line` is the 1-based line of `source`).
    case unpairedRow(source: String, line: Int, prompt: String)
    /// Harmful and refusal rows that do not belong together (other prompt, other count,
    /// prompt tokens that differ).
    case mismatchedPair(index: Int, reason: String)
    /// A pair whose harmful answer and refusal have no differing token (nothing to learn).
    case emptyMask(source: String, line: Int, prompt: String)
    /// A batch in which no labelled token is selected by the mask.
    case emptyBatchMask(what: String)
    /// A data set (file or preset split) with no rows, or none usable.
    case emptyData(source: String, reason: String)
    /// A row whose prompt alone fills the maximum length, so no response token is learned.
    case promptTooLong(source: String, line: Int, tokens: Int, maxLength: Int)
    /// A row that tokenizes to nothing the model can be trained or scored on.
    case noResponseTokens(source: String, line: Int)
    /// A token id the tokenizer produces that the model's vocabulary does not have.
    case vocabularyMismatch(model: String, source: String, line: Int, id: Int, vocabSize: Int)
    /// The tokenizer lacks a token the run needs (pad falls back to eos; eos itself cannot).
    case missingSpecialToken(tokenizer: String, role: String)
    /// A setting outside its valid range: the name, the value given and the rule.
    case invalidSetting(name: String, value: String, rule: String)
    /// OUT exists and replacing it was not asked for.
    case outputExists(path: String)
    /// A judge that cannot be built (unknown name, unusable classifier folder).
    case invalidJudge(spec: String, reason: String)
    /// Tensors a loss built itself that do not fit together (a bug, not bad input).
    case invalidConfig(String)
    /// The model does not expose what the loss needs (MLP outputs per block, residuals).
    case missingLayers(path: String, reason: String)
    /// The loss or gradient stopped being finite; the weights before that step were kept
    /// (at `lastGood` when they could be saved).
    case nonFiniteLoss(step: Int, detail: String, lastGood: String?)

    public var errorDescription: String? {
        switch self {
        case let .unpairedRow(source, line, prompt):
            return "\(source):\(line): the harmful row ('\(prompt)') has no 'refusal' to pair it with (a pairs file needs prompt, response and refusal)"
        case let .mismatchedPair(index, reason):
            return "pair \(index) does not match: \(reason)"
        case let .emptyMask(source, line, prompt):
            return "\(source):\(line) ('\(prompt)'): the harmful answer and the refusal have no differing token, so the mask is empty"
        case let .emptyBatchMask(what):
            return "empty mask: no labelled token is selected for \(what)"
        case let .emptyData(source, reason):
            return "\(source): no usable rows: \(reason)"
        case let .promptTooLong(source, line, tokens, maxLength):
            return "\(source):\(line): the prompt is \(tokens) tokens, which leaves no room for the response within --max-length \(maxLength)"
        case let .noResponseTokens(source, line):
            return "\(source):\(line): the row has no response tokens to learn or score"
        case let .vocabularyMismatch(model, source, line, id, vocabSize):
            return "\(source):\(line): the tokenizer gives id \(id), outside the vocabulary 0..<\(vocabSize) of the model \(model)"
        case let .missingSpecialToken(tokenizer, role):
            return "\(tokenizer): the tokenizer has no \(role) token"
        case let .invalidSetting(name, value, rule):
            return "\(name) = \(value): \(rule)"
        case let .outputExists(path):
            return "\(path) already exists (choose another output or pass --force to replace it)"
        case let .invalidJudge(spec, reason):
            return "judge '\(spec)': \(reason)"
        case let .invalidConfig(what):
            return "internal inconsistency: \(what)"
        case let .missingLayers(path, reason):
            return "\(path): the model lacks the layers the loss needs: \(reason)"
        case let .nonFiniteLoss(step, detail, lastGood):
            let kept = lastGood.map { "; the last good weights (before step \(step)) are saved in \($0)" }
                ?? "; no weights were written"
            return "training stopped at step \(step): \(detail)\(kept)"
        }
    }

    /// Whether the error is about the input data (rows, pairs, models, judges) rather than
    /// the run (exit 65 vs 1).
    public var isBadInput: Bool {
        switch self {
        case .unpairedRow, .mismatchedPair, .emptyMask, .emptyBatchMask, .emptyData, .promptTooLong, .noResponseTokens,
             .vocabularyMismatch, .missingSpecialToken, .invalidJudge, .missingLayers:
            return true
        case .invalidSetting, .outputExists, .invalidConfig, .nonFiniteLoss: return false
        }
    }

    /// A setting check: throws `invalidSetting` unless `ok`.
    static func require(_ ok: Bool, _ name: String, _ value: some CustomStringConvertible, _ rule: String) throws {
        guard ok else { throw HardenError.invalidSetting(name: name, value: value.description, rule: rule) }
    }
}
