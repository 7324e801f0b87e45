/// A token ↔ id table keyed by exact UTF-8 bytes (never by canonically-equivalent Strings).
struct Vocabulary: Sendable {
    private(set) var ids: [[UInt8]: Int] = [:]
    private(set) var tokens: [Int: String] = [:]
    /// Longest token, in Unicode scalars (bounds WordPiece's greedy search).
    private(set) var maxScalarCount = 0

    init() {}

    /// Reads a `{"token": id, …}` object. Later duplicates win, as in the crate's map.
    init(_ r: ComponentReader, field: String) throws {
        let pairs = try r.object(field)
        ids.reserveCapacity(pairs.count)
        tokens.reserveCapacity(pairs.count)
        for (token, value) in pairs {
            guard case let .int(id) = value, id >= 0, id <= Int(UInt32.max) else {
                throw r.invalid(field, "id of token '\(token)' is not a non-negative 32-bit integer")
            }
            insert(token, id: id)
        }
    }

    mutating func insert(_ token: String, id: Int) {
        let key = Array(token.utf8)
        if let old = ids[key], tokens[old].map({ Array($0.utf8) == key }) == true { tokens[old] = nil }
        ids[key] = id
        tokens[id] = token
        maxScalarCount = max(maxScalarCount, token.unicodeScalars.count)
    }

    /// Entry count (the crate's `get_vocab_size`).
    var count: Int { ids.count }

    func id(_ bytes: [UInt8]) -> Int? { ids[bytes] }
    func id(_ token: String) -> Int? { ids[Array(token.utf8)] }
    func token(_ id: Int) -> String? { tokens[id] }
}

/// The three token models, as data.
enum Model: Sendable {
    case wordLevel(WordLevelModel)
    case wordPiece(WordPieceModel)
    case bpe(BPEModel)

    var vocabulary: Vocabulary {
        switch self {
        case let .wordLevel(m): return m.vocab
        case let .wordPiece(m): return m.vocab
        case let .bpe(m): return m.vocab
        }
    }

    /// The id of the model's own unk token, when it names one that exists.
    var unkId: Int? {
        switch self {
        case let .wordLevel(m): return m.vocab.id(m.unkToken)
        case let .wordPiece(m): return m.vocab.id(m.unkToken)
        case let .bpe(m): return m.unkToken.flatMap { m.vocab.id($0) }
        }
    }

    func tokenize(_ word: [Unicode.Scalar], into ids: inout [Int]) throws {
        switch self {
        case let .wordLevel(m): try m.tokenize(word, into: &ids)
        case let .wordPiece(m): try m.tokenize(word, into: &ids)
        case let .bpe(m): try m.tokenize(word, into: &ids)
        }
    }

    static func parse(_ r: ComponentReader) throws -> Model {
        var type = r.type
        if type == nil {  // legacy files without a tag: infer from the fields present
            if r.value("merges") != nil { type = "BPE" }
            else if r.value("max_input_chars_per_word") != nil { type = "WordPiece" }
            else if r.value("unk_token") != nil { type = "WordLevel" }
        }
        switch type {
        case "WordLevel"?: return .wordLevel(try WordLevelModel(r))
        case "WordPiece"?: return .wordPiece(try WordPieceModel(r))
        case "BPE"?: return .bpe(try BPEModel(r))
        case let other?: throw TextError.unsupportedComponent(path: r.path, component: r.component, type: other)
        case nil: throw r.invalid("type", "cannot tell which model this is")
        }
    }
}

/// One id per whole word, or the unk token.
struct WordLevelModel: Sendable {
    let vocab: Vocabulary
    let unkToken: String
    let path: String

    init(_ r: ComponentReader) throws {
        vocab = try Vocabulary(r, field: "vocab")
        unkToken = try r.optionalString("unk_token") ?? "<unk>"
        path = r.path
    }

    func tokenize(_ word: [Unicode.Scalar], into ids: inout [Int]) throws {
        if let id = vocab.id(word.utf8Bytes) { ids.append(id); return }
        guard let unk = vocab.id(unkToken) else {
            throw TextError.missingUnkToken(path: path, model: "WordLevel", piece: String(scalars: word))
        }
        ids.append(unk)
    }
}

/// Greedy longest-match-first subwords with a continuation prefix (BERT's WordPiece).
struct WordPieceModel: Sendable {
    let vocab: Vocabulary
    let unkToken: String
    let prefix: [UInt8]
    let maxInputCharsPerWord: Int
    let path: String

    init(_ r: ComponentReader) throws {
        vocab = try Vocabulary(r, field: "vocab")
        unkToken = try r.optionalString("unk_token") ?? "[UNK]"
        prefix = Array((try r.optionalString("continuing_subword_prefix") ?? "##").utf8)
        maxInputCharsPerWord = try r.int("max_input_chars_per_word", default: 100)
        path = r.path
    }

    func tokenize(_ word: [Unicode.Scalar], into ids: inout [Int]) throws {
        if word.count <= maxInputCharsPerWord, let pieces = split(word) {
            ids.append(contentsOf: pieces)
            return
        }
        guard let unk = vocab.id(unkToken) else {
            throw TextError.missingUnkToken(path: path, model: "WordPiece", piece: String(scalars: word))
        }
        ids.append(unk)
    }

    /// The subword ids, or nil when some position has no match (the word becomes unk).
    private func split(_ word: [Unicode.Scalar]) -> [Int]? {
        var out: [Int] = []
        var start = 0
        while start < word.count {
            // A vocabulary entry never spans more scalars than the longest token.
            var end = min(word.count, start + vocab.maxScalarCount)
            var found: Int?
            while start < end {
                let key = word[start..<end].utf8Bytes(prefix: start > 0 ? prefix : [])
                if let id = vocab.id(key) { found = id; break }
                end -= 1
            }
            guard let id = found else { return nil }
            out.append(id)
            start = end
        }
        return out
    }
}
