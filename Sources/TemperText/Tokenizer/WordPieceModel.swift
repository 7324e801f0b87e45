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
