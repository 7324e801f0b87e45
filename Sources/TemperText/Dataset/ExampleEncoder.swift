/// One tokenized training example. `labels[i]` is the id the loss should score at position
/// i, or `Example.ignoreIndex` (-100) where no loss is taken (bos, prompt, padding).
/// Labels are NOT shifted: as in Hugging Face, the causal loss compares logits at position
/// i with `labels[i + 1]`.
public struct Example: Sendable, Equatable {
    public static let ignoreIndex: Int32 = -100
    public var inputIds: [Int32]
    public var labels: [Int32]
    /// Tokens before the first labeled one (bos and prompt).
    public var promptLength: Int
    /// Whether the example was cut to the encoder's maximum length.
    public var truncated: Bool

    public init(inputIds: [Int32], labels: [Int32], promptLength: Int, truncated: Bool) {
        self.inputIds = inputIds
        self.labels = labels
        self.promptLength = promptLength
        self.truncated = truncated
    }
}

/// Which text of a row is learned.
public enum TrainingTarget: Sendable {
    case response
    case refusal
}

/// Turns rows into examples: the template's full text is tokenized in one piece (so the
/// model sees natural tokens); the prompt/response boundary is the longest common prefix of
/// that and the tokenized generation text (the prompt part without trailing spaces, what
/// generation starts from), so only response tokens (and eos) get labels.
/// Examples longer than `maxLength` are cut from the right.
public struct ExampleEncoder: Sendable {
    public let tokenizer: Tokenizer
    public let template: PromptTemplate
    public let maxLength: Int
    private let bos: Int32?
    private let eos: Int32?

    public init(tokenizer: Tokenizer, template: PromptTemplate = .default, maxLength: Int) throws {
        guard maxLength >= 1 else { throw TextError.invalidArgument(name: "maxLength", reason: "must be at least 1, got \(maxLength)") }
        func id(_ value: Int?, role: String, needed: Bool) throws -> Int32? {
            guard needed else { return nil }
            guard let value else {
                throw TextError.missingSpecialToken(role: role, reason: "the template adds one but \(tokenizer.source) defines none")
            }
            guard let narrow = Int32(exactly: value) else { throw TextError.invalidArgument(name: role, reason: "id \(value) exceeds Int32") }
            return narrow
        }
        bos = try id(tokenizer.bosTokenId, role: "bos", needed: template.addBos)
        eos = try id(tokenizer.eosTokenId, role: "eos", needed: template.addEos)
        self.tokenizer = tokenizer
        self.template = template
        self.maxLength = maxLength
    }

    public func encode(prompt: String, response: String) throws -> Example {
        let (_, full) = template.render(prompt: prompt, response: response)
        let fullIds = try narrow(tokenizer.encode(full, addSpecialTokens: false))
        let promptIds = try narrow(tokenizer.encode(template.generationText(prompt: prompt), addSpecialTokens: false))
        var boundary = 0
        while boundary < min(fullIds.count, promptIds.count), fullIds[boundary] == promptIds[boundary] { boundary += 1 }

        var ids: [Int32] = []
        ids.reserveCapacity(fullIds.count + 2)
        if let bos { ids.append(bos) }
        let promptLength = ids.count + boundary
        ids += fullIds
        if let eos { ids.append(eos) }
        var labels = ids
        for i in 0..<promptLength { labels[i] = Example.ignoreIndex }
        let truncated = ids.count > maxLength
        if truncated {
            ids.removeLast(ids.count - maxLength)
            labels.removeLast(labels.count - maxLength)
        }
        return Example(inputIds: ids, labels: labels, promptLength: min(promptLength, maxLength), truncated: truncated)
    }

    public func encode(_ row: DatasetRow, target: TrainingTarget = .response) throws -> Example {
        switch target {
        case .response: return try encode(prompt: row.prompt, response: row.response)
        case .refusal:
            guard let refusal = row.refusal else { throw TextError.missingRefusal(row: row.line) }
            return try encode(prompt: row.prompt, response: refusal)
        }
    }

    public func encode(_ dataset: JSONLDataset, target: TrainingTarget = .response) throws -> [Example] {
        try dataset.rows.map { try encode($0, target: target) }
    }

    private func narrow(_ ids: [Int]) throws -> [Int32] {
        try ids.map { id in
            guard let v = Int32(exactly: id) else { throw TextError.invalidArgument(name: "token id", reason: "\(id) exceeds Int32") }
            return v
        }
    }
}
