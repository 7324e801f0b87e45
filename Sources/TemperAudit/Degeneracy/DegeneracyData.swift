import Foundation
import TemperModels
import TemperText

/// One tokenized dataset row for the degeneracy audit. Rows with a `refusal` are harmful
/// prompts, rows without one harmless (the dataset convention of Formats/datasets.md).
public struct DegeneracySequence: Sendable, Equatable {
    public var ids: [Int]
    /// Tokens of the prompt part (the harmful-direction means are taken over these).
    public var promptLength: Int
    public var harmful: Bool
    /// 1-based line in the dataset file.
    public var line: Int

    public init(ids: [Int], promptLength: Int, harmful: Bool, line: Int = 0) {
        self.ids = ids
        self.promptLength = promptLength
        self.harmful = harmful
        self.line = line
    }
}

/// A padded batch of sequences and which positions are real.
struct DegeneracyBatch {
    let tokens: TokenBatch
    let sequences: [DegeneracySequence]
    /// Row-major [batch × length]: true at real tokens.
    let mask: [Bool]
    var length: Int { tokens.length }
    var realCount: Int { mask.lazy.filter { $0 }.count }

    /// Labels for the causal LM loss as in training: response tokens (and eos) of harmless
    /// rows; -100 at prompts, harmful rows and padding.
    var responseLabels: [Int] {
        var labels = [Int](repeating: LanguageModelLoss.ignoreIndex, count: tokens.ids.count)
        for (row, s) in sequences.enumerated() where !s.harmful {
            for t in s.promptLength..<s.ids.count { labels[row * length + t] = s.ids[t] }
        }
        return labels
    }

    /// How many labels `responseLabels` scores (each label after the first position).
    var responseLabelCount: Int {
        sequences.reduce(0) { $0 + ($1.harmful ? 0 : $1.ids.count - max(1, $1.promptLength)) }
    }
}

public enum DegeneracyData {
    /// Tokenizes `dataset` as training rows are (ExampleEncoder: template, bos/eos), keeping
    /// rows in file order until `maxTokens` tokens (the last row is cut to fit).
    public static func sequences(_ dataset: JSONLDataset, tokenizer: Tokenizer, maxLength: Int, maxTokens: Int) throws -> [DegeneracySequence] {
        let encoder: ExampleEncoder
        do { encoder = try ExampleEncoder(tokenizer: tokenizer, maxLength: maxLength) } catch {
            throw AuditError.invalidConfig("cannot encode rows: \((error as? LocalizedError)?.errorDescription ?? "\(error)")")
        }
        var out: [DegeneracySequence] = []
        var total = 0
        for row in dataset.rows where total < maxTokens {
            let example: Example
            do { example = try encoder.encode(row) } catch {
                throw AuditError.emptyDataset(path: dataset.path, reason: "line \(row.line): \((error as? LocalizedError)?.errorDescription ?? "\(error)")")
            }
            var ids = example.inputIds.map(Int.init)
            if ids.count > maxTokens - total { ids.removeLast(ids.count - (maxTokens - total)) }
            guard !ids.isEmpty else { continue }
            total += ids.count
            out.append(DegeneracySequence(ids: ids, promptLength: min(example.promptLength, ids.count),
                                          harmful: row.refusal != nil, line: row.line))
        }
        guard total > 0 else { throw AuditError.emptyDataset(path: dataset.path, reason: "no tokens to audit") }
        return out
    }

    /// Consecutive rows grouped into right-padded batches of about `batchTokens` padded tokens.
    static func batches(_ sequences: [DegeneracySequence], batchTokens: Int, padId: Int = 0) throws -> [DegeneracyBatch] {
        var batches: [DegeneracyBatch] = []
        var current: [DegeneracySequence] = []
        func flush() throws {
            guard let width = current.map(\.ids.count).max() else { return }
            var ids: [Int] = [], mask: [Bool] = []
            for s in current {
                ids += s.ids + [Int](repeating: padId, count: width - s.ids.count)
                mask += [Bool](repeating: true, count: s.ids.count) + [Bool](repeating: false, count: width - s.ids.count)
            }
            let tokens = try TokenBatch(ids: ids, batchSize: current.count, attentionMask: mask)
            batches.append(DegeneracyBatch(tokens: tokens, sequences: current, mask: mask))
            current = []
        }
        for s in sequences {
            let width = max(s.ids.count, current.map(\.ids.count).max() ?? 0)
            if !current.isEmpty, width * (current.count + 1) > batchTokens { try flush() }
            current.append(s)
        }
        try flush()
        return batches
    }

    /// The first sequences holding at most `tokens` tokens (at least one sequence).
    static func prefix(_ sequences: [DegeneracySequence], tokens: Int) -> [DegeneracySequence] {
        var total = 0
        var out: [DegeneracySequence] = []
        for s in sequences {
            if !out.isEmpty, total + s.ids.count > tokens { break }
            out.append(s)
            total += s.ids.count
        }
        return out
    }
}
