import TemperText

/// Token ids for one forward pass, row-major [batchSize, length].
public struct TokenBatch: Sendable, Equatable {
    public let ids: [Int]
    public let batchSize: Int
    public let length: Int
    /// batchSize × length flags, true = real token, false = padding (keys that are never
    /// attended to). nil = every token is real.
    public let attentionMask: [Bool]?
    /// BERT segment ids (0 or 1), batchSize × length; nil = all 0.
    public let tokenTypeIds: [Int]?

    public init(ids: [Int], batchSize: Int, attentionMask: [Bool]? = nil, tokenTypeIds: [Int]? = nil) throws {
        guard batchSize > 0, !ids.isEmpty, ids.count % batchSize == 0 else {
            throw ModelError.invalidInput(reason: "\(ids.count) token ids do not form \(batchSize) non-empty rows")
        }
        if let attentionMask, attentionMask.count != ids.count {
            throw ModelError.invalidInput(reason: "attention mask has \(attentionMask.count) flags for \(ids.count) tokens")
        }
        if let tokenTypeIds, tokenTypeIds.count != ids.count {
            throw ModelError.invalidInput(reason: "token type ids: \(tokenTypeIds.count) for \(ids.count) tokens")
        }
        self.ids = ids
        self.batchSize = batchSize
        length = ids.count / batchSize
        self.attentionMask = attentionMask
        self.tokenTypeIds = tokenTypeIds
    }

    /// One sequence.
    public init(_ sequence: [Int]) throws {
        try self.init(ids: sequence, batchSize: 1)
    }

    /// Rows of equal length.
    public init(rows: [[Int]]) throws {
        guard let width = rows.first?.count, rows.allSatisfy({ $0.count == width }) else {
            throw ModelError.invalidInput(reason: "rows must be non-empty and of equal length")
        }
        try self.init(ids: rows.flatMap { $0 }, batchSize: rows.count)
    }

    /// A padded TemperText batch (its attention mask marks the padding).
    public init(_ batch: Batch) throws {
        try self.init(ids: batch.inputIds.map(Int.init), batchSize: batch.batchSize,
                      attentionMask: batch.attentionMask.map { $0 != 0 })
    }

    /// Row `row` of the ids.
    public func row(_ row: Int) -> ArraySlice<Int> { ids[(row * length)..<((row + 1) * length)] }

    /// Throws unless every id is in 0..<vocabSize.
    func check(vocabSize: Int) throws {
        for (i, id) in ids.enumerated() where id < 0 || id >= vocabSize {
            throw ModelError.invalidInput(reason: "token id \(id) at row \(i / length), position \(i % length) is outside the vocabulary 0..<\(vocabSize)")
        }
    }

    /// Whether any position is padding.
    var hasPadding: Bool { attentionMask?.contains(false) ?? false }
}
