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
