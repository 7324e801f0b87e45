import Foundation
import TemperModels
import TemperText

/// How rows become token ids for one model: the prompt template (bos/eos only where the
/// tokenizer has them), the maximum length (never beyond the model's context), the pad id
/// (the tokenizer's, else eos, as `temper finetune` does — padding is masked by the
/// attention mask, never recognised by its id), and the ids that end a generated answer.
public struct TextEncoding: Sendable {
    public static let defaultMaxLength = 256

    public let tokenizer: Tokenizer
    public let template: PromptTemplate
    public let maxLength: Int
    public let padId: Int
    /// eos of the tokenizer and of the model's config.
    public let stopIds: [Int]
    public let vocabSize: Int
    let modelPath: String
    let encoder: ExampleEncoder
    /// The model's chat template when rows are rendered through it.
    let chat: ChatRows?

    /// `template` nil: the plain template `{prompt} {response}` framed by bos/eos where the
    /// tokenizer defines them.
    public init(tokenizer: Tokenizer, model: any CausalLanguageModel, template: PromptTemplate? = nil,
                maxLength: Int = TextEncoding.defaultMaxLength) throws {
        try self.init(tokenizer: tokenizer, model: model, format: .plain(template), maxLength: maxLength)
    }

    /// Rows through `format`: a plain template, or the model folder's chat template (whose
    /// end-of-turn tokens, from generation_config.json, also end generated answers).
    public init(tokenizer: Tokenizer, model: any CausalLanguageModel, format: RowFormat,
                maxLength: Int = TextEncoding.defaultMaxLength) throws {
        var template: PromptTemplate?
        var chatRows: ChatRows?
        switch format {
        case let .plain(t): template = t
        case let .chat(system):
            let folder = model.source.folder
            chatRows = ChatRows(template: try ChatTemplate.load(folder: folder), system: system, folder: folder.path)
            // The chat template writes bos itself; the plain template stays only as a record.
            template = try PromptTemplate(format: "{prompt} {response}", addBos: false, addEos: false)
        }
        try HardenError.require(maxLength > 1, "--max-length", maxLength, "must exceed 1")
        if let context = model.maxPositions {
            try HardenError.require(maxLength <= context, "--max-length", maxLength, "the model accepts at most \(context) positions")
        }
        guard let eos = tokenizer.eosTokenId ?? model.eosTokenIds.first else {
            throw HardenError.missingSpecialToken(tokenizer: tokenizer.source, role: "eos")
        }
        let chosen = try template ?? PromptTemplate(format: "{prompt} {response}", addBos: tokenizer.bosTokenId != nil, addEos: true)
        self.tokenizer = tokenizer
        self.template = chosen
        self.maxLength = maxLength
        padId = tokenizer.padTokenId ?? eos
        var stops = model.eosTokenIds
        if let e = tokenizer.eosTokenId, !stops.contains(e) { stops.append(e) }
        if chatRows != nil {
            for id in try GenerationConfigFile.chatStopIds(folder: model.source.folder, tokenizerEos: tokenizer.eosTokenId,
                                                           modelEos: model.eosTokenIds) where !stops.contains(id) { stops.append(id) }
        }
        stopIds = stops.isEmpty ? [eos] : stops
        vocabSize = model.vocabSize
        modelPath = model.source.folder.path
        encoder = try ExampleEncoder(tokenizer: tokenizer, template: chosen, maxLength: maxLength)
        chat = chatRows
    }

    /// What reports and provenance record of the text format.
    public var formatDescription: String { chat.map { "chat template of \($0.folder)" + ($0.system.map { " (system: \($0))" } ?? "") } ?? template.format }

    /// Index of the first prompt token after bos (the probe's mean pooling starts there).
    public var promptStart: Int { chat == nil && template.addBos && tokenizer.bosTokenId != nil ? 1 : 0 }

    /// One row's example learning `response` (or another answer of the row, e.g. its refusal).
    /// Rows whose prompt fills the maximum length, or with nothing to learn, are typed errors
    /// naming `source` and the line.
    public func example(prompt: String, answer: String, source: String, line: Int) throws -> Example {
        let e = try chat.map { try $0.example(prompt: prompt, answer: answer, tokenizer: tokenizer, maxLength: maxLength) }
            ?? encoder.encode(prompt: prompt, response: answer)
        if let bad = e.inputIds.first(where: { Int($0) >= vocabSize || $0 < 0 }) {
            throw HardenError.vocabularyMismatch(model: modelPath, source: source, line: line, id: Int(bad), vocabSize: vocabSize)
        }
        guard e.promptLength < e.inputIds.count else {
            if e.truncated { throw HardenError.promptTooLong(source: source, line: line, tokens: e.promptLength, maxLength: maxLength) }
            throw HardenError.noResponseTokens(source: source, line: line)
        }
        return e
    }

    /// Every row of `set` learning its response (or its refusal).
    public func examples(_ set: RowSet, target: TrainingTarget = .response) throws -> [Example] {
        try examples(set.rows, source: set.record.source, target: target)
    }

    /// Rows from `source` (named in errors with each row's line, or its position when the
    /// rows were built in code).
    public func examples(_ rows: [DatasetRow], source: String, target: TrainingTarget = .response) throws -> [Example] {
        guard !rows.isEmpty else { throw HardenError.emptyData(source: source, reason: "no rows") }
        return try rows.enumerated().map { index, row in
            let line = row.line > 0 ? row.line : index + 1
            let answer: String
            switch target {
            case .response: answer = row.response
            case .refusal:
                guard let refusal = row.refusal else { throw HardenError.unpairedRow(source: source, line: line, prompt: row.prompt) }
                answer = refusal
            }
            return try example(prompt: row.prompt, answer: answer, source: source, line: line)
        }
    }

    /// The ids a generated answer continues: bos and the template's generation text (the
    /// prompt part without trailing spaces, where training's labels start too), no eos.
    public func generationPrompt(_ prompt: String) throws -> [Int] {
        var ids = try chat.map { try $0.generationPrompt(prompt, tokenizer: tokenizer) }
            ?? tokenizer.encode(template.generationText(prompt: prompt), addSpecialTokens: false)
        if chat == nil, template.addBos, let bos = tokenizer.bosTokenId { ids.insert(bos, at: 0) }
        if ids.count >= maxLength {
            throw HardenError.promptTooLong(source: "prompt '\(prompt.prefix(40))'", line: 0, tokens: ids.count, maxLength: maxLength)
        }
        return ids
    }
}
