import TemperModels
import TemperText

/// One harmful prompt tokenized twice (METHODS.md §4): `<bos> prompt harmful-answer <eos>`
/// and `<bos> prompt refusal <eos>`. The prompt tokens are identical, so the two sequences
/// differ only in their answers.
public struct PairedExample: Sendable, Equatable {
    public var harmful: [Int32]
    public var refusal: [Int32]
    /// Tokens before the answer (bos and prompt), the same in both.
    public var promptLength: Int
    /// Index of the row it came from.
    public var row: Int

    /// Positions where the two sequences differ: a real token of one against a different
    /// real token of the other, or against the other's padding. Padding is known from the
    /// lengths, never from the pad id (which may be a real token such as eos).
    public var differingPositions: [Int] {
        let n = max(harmful.count, refusal.count)
        return (0..<n).filter { i in i >= harmful.count || i >= refusal.count || harmful[i] != refusal[i] }
    }
}

public enum PairedData {
    /// Pairs harmful rows with refusal rows given separately (for example two files): the
    /// counts and every prompt must match, and the refusal row's `response` (or `refusal`)
    /// becomes the harmful row's refusal.
    public static func pair(harmful: [DatasetRow], refusals: [DatasetRow]) throws -> [DatasetRow] {
        guard harmful.count == refusals.count else {
            throw HardenError.mismatchedPair(index: min(harmful.count, refusals.count),
                                             reason: "\(harmful.count) harmful rows but \(refusals.count) refusal rows")
        }
        return try zip(harmful, refusals).enumerated().map { i, pair in
            let (h, r) = pair
            guard h.prompt == r.prompt else {
                throw HardenError.mismatchedPair(index: i, reason: "harmful prompt '\(h.prompt)' vs refusal prompt '\(r.prompt)'")
            }
            return DatasetRow(prompt: h.prompt, response: h.response, refusal: r.refusal ?? r.response, line: h.line)
        }
    }

    /// Tokenizes rows that carry prompt, response and refusal into paired examples.
    /// Rows without a refusal, pairs whose prompt tokens differ and pairs whose answers do
    /// not differ anywhere are typed errors naming the file and line.
    public static func examples(_ set: RowSet, encoding: TextEncoding) throws -> [PairedExample] {
        guard !set.rows.isEmpty else { throw HardenError.emptyData(source: set.record.source, reason: "no harmful rows to pair") }
        let source = set.record.source
        return try set.numberedRows.enumerated().map { index, item in
            let (line, row) = item
            guard let refusal = row.refusal else { throw HardenError.unpairedRow(source: source, line: line, prompt: row.prompt) }
            let h = try encoding.example(prompt: row.prompt, answer: row.response, source: source, line: line)
            let r = try encoding.example(prompt: row.prompt, answer: refusal, source: source, line: line)
            // A BPE merge across the prompt/answer boundary can end the two prompts one token
            // apart; the shared part is the shorter one, and the mask (where the sequences
            // differ, as the reference computes it) covers the rest.
            let shared = min(h.promptLength, r.promptLength)
            guard h.inputIds.prefix(shared) == r.inputIds.prefix(shared) else {
                throw HardenError.mismatchedPair(index: index, reason: "\(source):\(line): the prompt '\(row.prompt)' tokenizes differently before its two answers")
            }
            let example = PairedExample(harmful: h.inputIds, refusal: r.inputIds, promptLength: shared, row: index)
            guard !example.differingPositions.isEmpty else {
                throw HardenError.emptyMask(source: source, line: line, prompt: row.prompt)
            }
            return example
        }
    }
}

/// Paired examples right-padded to one length, with the mask of differing tokens.
public struct PairedBatch: Sendable, Equatable {
    public let batchSize: Int
    public let length: Int
    public let padId: Int
    /// Row-major [batchSize, length] ids.
    public let harmfulIds: [Int]
    public let refusalIds: [Int]
    /// Real (non-padding) tokens of each sequence.
    public let harmfulReal: [Bool]
    public let refusalReal: [Bool]
    /// Where the padded ids differ (the reference's `~torch.eq(harmful_ids, refusal_ids)`).
    public let mask: [Bool]
    /// Rows the examples came from.
    public let rows: [Int]
    /// Each row's prompt length (bos and prompt, shared by both sequences): the answers
    /// start there (latent adversarial training scores the completions from it).
    public let promptLengths: [Int]

    public init(_ examples: [PairedExample], padId: Int) throws {
        guard !examples.isEmpty else { throw HardenError.invalidConfig("a paired batch needs at least one example") }
        guard let pad = Int32(exactly: padId) else { throw HardenError.invalidConfig("pad id \(padId) exceeds Int32") }
        let length = examples.map { max($0.harmful.count, $0.refusal.count) }.max() ?? 0
        let (total, overflow) = examples.count.multipliedReportingOverflow(by: length)
        guard !overflow, length > 0 else { throw HardenError.invalidConfig("a batch of \(examples.count) × \(length) tokens") }
        var h = [Int](repeating: padId, count: total), r = h
        var hReal = [Bool](repeating: false, count: total), rReal = hReal
        for (row, e) in examples.enumerated() {
            let base = row * length
            for (i, id) in e.harmful.enumerated() { h[base + i] = Int(id); hReal[base + i] = true }
            for (i, id) in e.refusal.enumerated() { r[base + i] = Int(id); rReal[base + i] = true }
        }
        batchSize = examples.count
        self.length = length
        self.padId = Int(pad)
        harmfulIds = h
        refusalIds = r
        harmfulReal = hReal
        refusalReal = rReal
        // Differing positions by real-token flags: padding against a real token differs even
        // when the pad id equals that token (pad = eos tokenizers).
        mask = (0..<total).map { i in hReal[i] != rReal[i] || (hReal[i] && h[i] != r[i]) }
        rows = examples.map(\.row)
        promptLengths = examples.map(\.promptLength)
    }

    public func harmfulTokens() throws -> TokenBatch {
        try TokenBatch(ids: harmfulIds, batchSize: batchSize, attentionMask: harmfulReal)
    }

    public func refusalTokens() throws -> TokenBatch {
        try TokenBatch(ids: refusalIds, batchSize: batchSize, attentionMask: refusalReal)
    }

    /// Count of positions the mask selects.
    public var maskedCount: Int { mask.reduce(0) { $0 + ($1 ? 1 : 0) } }
}

extension BatchSampler {
    /// The paired batch of global step `step`.
    public func makePairedBatch(step: Int, examples: [PairedExample], padId: Int) throws -> PairedBatch {
        guard examples.count == count else {
            throw HardenError.invalidConfig("sampler was built for \(count) examples, got \(examples.count)")
        }
        return try PairedBatch(batch(atStep: step).indices.map { examples[$0] }, padId: padId)
    }
}
