import TemperModels
import TemperText
import TemperWorld

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

    /// Positions (0..<max length) where the two sequences differ once both are right-padded
    /// with `padId`: the answer tokens RepNoise works on.
    public func differingPositions(padId: Int32) -> [Int] {
        let n = max(harmful.count, refusal.count)
        return (0..<n).filter { i in
            (i < harmful.count ? harmful[i] : padId) != (i < refusal.count ? refusal[i] : padId)
        }
    }
}

public enum PairedData {
    /// Pairs harmful rows with refusal rows given separately (for example two files): the
    /// counts and every prompt must match, and the refusal row's `response` (or `refusal`)
    /// becomes the harmful row's refusal.
    public static func pair(harmful: [WorldRow], refusals: [WorldRow]) throws -> [WorldRow] {
        guard harmful.count == refusals.count else {
            throw HardenError.mismatchedPair(index: min(harmful.count, refusals.count),
                                             reason: "\(harmful.count) harmful rows but \(refusals.count) refusal rows")
        }
        return try zip(harmful, refusals).enumerated().map { i, pair in
            let (h, r) = pair
            guard h.prompt == r.prompt else {
                throw HardenError.mismatchedPair(index: i, reason: "harmful prompt '\(h.prompt)' vs refusal prompt '\(r.prompt)'")
            }
            return WorldRow(prompt: h.prompt, response: h.response, refusal: r.refusal ?? r.response)
        }
    }

    /// Tokenizes rows that carry prompt, response and refusal into paired examples.
    /// Rows without a refusal, pairs whose prompt tokens differ and pairs whose answers do
    /// not differ anywhere are typed errors.
    public static func examples(rows: [WorldRow], tokenizer: Tokenizer, maxLength: Int = 64) throws -> [PairedExample] {
        guard !rows.isEmpty else { throw HardenError.emptyData("no harmful rows to pair") }
        guard let pad = tokenizer.padTokenId, let padId = Int32(exactly: pad) else {
            throw HardenError.invalidConfig("the tokenizer \(tokenizer.source) has no pad token")
        }
        let encoder = try ExampleEncoder(tokenizer: tokenizer, maxLength: maxLength)
        return try rows.enumerated().map { index, row in
            guard let refusal = row.refusal else { throw HardenError.unpairedRow(index: index, prompt: row.prompt) }
            let h = try encoder.encode(prompt: row.prompt, response: row.response)
            let r = try encoder.encode(prompt: row.prompt, response: refusal)
            guard h.promptLength == r.promptLength, h.inputIds.prefix(h.promptLength) == r.inputIds.prefix(r.promptLength) else {
                throw HardenError.mismatchedPair(index: index, reason: "the prompt '\(row.prompt)' tokenizes differently before its two answers")
            }
            let example = PairedExample(harmful: h.inputIds, refusal: r.inputIds, promptLength: h.promptLength, row: index)
            guard !example.differingPositions(padId: padId).isEmpty else {
                throw HardenError.emptyMask(index: index, prompt: row.prompt)
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

    public init(_ examples: [PairedExample], padId: Int) throws {
        guard !examples.isEmpty else { throw HardenError.emptyData("a paired batch needs at least one example") }
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
        mask = zip(h, r).map { $0 != $1 }
        rows = examples.map(\.row)
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
