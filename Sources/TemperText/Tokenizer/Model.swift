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
