import Foundation

/// Ids, token-type ids and attention mask (0 on padding) of an encoded sequence (or pair).
public struct Encoding: Sendable, Equatable {
    public var ids: [Int]
    public var typeIds: [Int]
    public var attentionMask: [Int]

    public init(ids: [Int], typeIds: [Int], attentionMask: [Int]? = nil) {
        self.ids = ids
        self.typeIds = typeIds
        self.attentionMask = attentionMask ?? Array(repeating: 1, count: ids.count)
    }
}

/// The ids of the tokens with a role; nil where the tokenizer has none.
public struct SpecialTokenIds: Sendable, Equatable {
    public var bos: Int?
    public var eos: Int?
    public var pad: Int?
    public var unk: Int?

    public init(bos: Int? = nil, eos: Int? = nil, pad: Int? = nil, unk: Int? = nil) {
        self.bos = bos
        self.eos = eos
        self.pad = pad
        self.unk = unk
    }
}

/// A tokenizer read from a Hugging Face `tokenizer.json`, producing the same ids as the
/// `tokenizers` library: added tokens → normalizer → pre-tokenizer → model → post-processor.
public struct Tokenizer: Sendable {
    /// The file this tokenizer was read from (used in error messages).
    public let source: String
    let normalizer: Normalizer?
    let preTokenizer: PreTokenizer?
    let model: Model
    let postProcessor: PostProcessor?
    let decoder: Decoder?
    let added: AddedVocabulary
    /// Role ids (bos/eos/pad/unk): from `tokenizer_config.json` beside the file when present,
    /// otherwise inferred from conventional token names. Settable by the caller.
    public var specialTokens: SpecialTokenIds
    /// tokenizer.json's `truncation` and `padding`, applied by every encode as `tokenizers` does.
    public var truncation: Truncation?
    public var padding: Padding?

    init(source: String, normalizer: Normalizer?, preTokenizer: PreTokenizer?, model: Model,
         postProcessor: PostProcessor?, decoder: Decoder?, addedTokens: [AddedToken],
         truncation: Truncation? = nil, padding: Padding? = nil) {
        self.truncation = truncation
        self.padding = padding
        self.source = source
        self.normalizer = normalizer
        self.preTokenizer = preTokenizer
        self.model = model
        self.postProcessor = postProcessor
        self.decoder = decoder
        self.added = AddedVocabulary(tokens: addedTokens, model: model, normalizer: normalizer)
        self.specialTokens = SpecialTokenIds()
        self.specialTokens = inferredSpecialTokens()
    }

    // MARK: encoding

    /// Token ids of `text`; with `addSpecialTokens`, the post-processor's tokens (e.g. bos).
    public func encode(_ text: String, addSpecialTokens: Bool = true) throws -> [Int] {
        try encodeWithTypes(text, addSpecialTokens: addSpecialTokens).ids
    }

    /// Ids, type ids and attention mask of one sequence.
    public func encodeWithTypes(_ text: String, addSpecialTokens: Bool = true) throws -> Encoding {
        try finish([try encodeSequence(text, typeId: 0)], addSpecialTokens: addSpecialTokens)
    }

    /// Ids and type ids of a pair (e.g. BERT's `[CLS] a [SEP] b [SEP]`).
    public func encodePair(_ first: String, _ second: String, addSpecialTokens: Bool = true) throws -> Encoding {
        try finish([try encodeSequence(first, typeId: 0), try encodeSequence(second, typeId: 1)],
                   addSpecialTokens: addSpecialTokens)
    }

    /// `encode_batch`: each text encoded, then (with `padding`) all padded together, to the
    /// longest of the batch or to the fixed length.
    public func encodeBatch(_ texts: [String], addSpecialTokens: Bool = true) throws -> [Encoding] {
        var encodings = try texts.map { try encodeWithTypes($0, addSpecialTokens: addSpecialTokens) }
        padding?.apply(&encodings)
        return encodings
    }

    private func encodeSequence(_ text: String, typeId: Int) throws -> Encoding {
        var pieces = added.extractAndNormalize(Array(text.unicodeScalars), normalizer: normalizer)
        if let preTokenizer { pieces = preTokenizer.apply(pieces) }
        var ids: [Int] = []
        ids.reserveCapacity(text.utf8.count / 3 + 4)
        for piece in pieces {
            if let id = piece.tokenId { ids.append(id) } else { try model.tokenize(piece.scalars, into: &ids) }
        }
        return Encoding(ids: ids, typeIds: Array(repeating: typeId, count: ids.count))
    }

    /// Truncation, post-processing, padding: `tokenizers`' `post_process`.
    private func finish(_ encodings: [Encoding], addSpecialTokens: Bool) throws -> Encoding {
        var parts = encodings
        if let truncation {
            var maxLength = truncation.maxLength
            if addSpecialTokens, let postProcessor {
                let empty = encodings.map { _ in Encoding(ids: [], typeIds: []) }
                let added = postProcessor.process(empty, addSpecialTokens: true).reduce(0) { $0 + $1.ids.count }
                guard added <= maxLength else {
                    throw TextError.invalidField(path: source, component: "truncation", field: "max_length",
                                                 reason: "\(maxLength) leaves no room for the \(added) special tokens the post-processor adds")
                }
                maxLength -= added
            }
            try truncation.apply(&parts, maxLength: maxLength, source: source)
        }
        if let postProcessor {
            for i in parts.indices { parts[i].typeIds = Array(repeating: i, count: parts[i].ids.count) }
            parts = postProcessor.process(parts, addSpecialTokens: addSpecialTokens)
        }
        var out = [Encoding(ids: parts.flatMap(\.ids), typeIds: parts.flatMap(\.typeIds))]
        padding?.apply(&out)
        return out[0]
    }

    // MARK: decoding and vocabulary

    /// The text of `ids`. Ids that name no token are skipped, as the `tokenizers` library does.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = false) -> String {
        var tokens: [String] = []
        tokens.reserveCapacity(ids.count)
        for id in ids {
            guard let token = idToToken(id) else { continue }
            if skipSpecialTokens, added.isSpecial(token) { continue }
            tokens.append(token)
        }
        return decoder?.decode(tokens) ?? tokens.joined(separator: " ")
    }

    /// The id of a token string (added tokens first, then the model's vocabulary).
    public func tokenToId(_ token: String) -> Int? {
        let key = Array(token.utf8)
        return added.idOf[key] ?? model.vocabulary.id(key)
    }

    /// The token string of an id (an added token's normalized form when it has one).
    public func idToToken(_ id: Int) -> String? {
        added.content(of: id) ?? model.vocabulary.token(id)
    }

    /// Vocabulary size including added tokens (`get_vocab_size(with_added_tokens=True)`).
    public var vocabSize: Int {
        let overlapping = added.idOf.keys.filter { model.vocabulary.id($0) != nil }.count
        return model.vocabulary.count + added.idOf.count - overlapping
    }

    /// The model's own vocabulary size, without added tokens.
    public var modelVocabSize: Int { model.vocabulary.count }

    /// Ids of all tokens marked `special` in `added_tokens`.
    public var specialTokenIdSet: Set<Int> {
        Set(added.specialContents.compactMap { added.idOf[$0] })
    }

    public var bosTokenId: Int? { specialTokens.bos }
    public var eosTokenId: Int? { specialTokens.eos }
    public var padTokenId: Int? { specialTokens.pad }
    public var unkTokenId: Int? { specialTokens.unk }

    private func inferredSpecialTokens() -> SpecialTokenIds {
        func first(_ names: [String]) -> Int? { names.lazy.compactMap { tokenToId($0) }.first }
        return SpecialTokenIds(
            bos: first(["<s>", "<bos>", "<|begin_of_text|>", "<|startoftext|>", "<|endoftext|>"]),
            eos: first(["</s>", "<eos>", "<|end_of_text|>", "<|endoftext|>"]),
            pad: first(["<pad>", "[PAD]", "<|pad|>", "<|padding|>"]),
            unk: model.unkId ?? first(["<unk>", "[UNK]"]))
    }
}
