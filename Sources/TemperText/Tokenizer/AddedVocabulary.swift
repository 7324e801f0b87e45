/// One entry of tokenizer.json's `added_tokens`.
struct AddedToken: Sendable, Equatable {
    var content: String
    var singleWord: Bool
    var lstrip: Bool
    var rstrip: Bool
    var normalized: Bool
    var special: Bool
}

/// Tokens matched in the raw text before the model runs, as the crate's `AddedVocabulary`:
/// tokens with `normalized: false` are found in the original text, the others in each
/// normalized stretch between them; matching is leftmost-longest.
struct AddedVocabulary: Sendable {
    private(set) var idOf: [[UInt8]: Int] = [:]
    private(set) var tokenOf: [Int: AddedToken] = [:]
    /// Normalized content of `normalized` tokens whose normalized form differs.
    private(set) var normalizedContent: [Int: String] = [:]
    private(set) var specialContents: Set<[UInt8]> = []
    private var rawTrie = Trie()
    private var normalizedTrie = Trie()

    /// Assigns ids exactly as `AddedVocabulary::add_tokens`: an existing id (added or in the
    /// model) is reused, otherwise ids continue after the model's vocabulary size.
    init(tokens: [AddedToken], model: Model, normalizer: Normalizer?) {
        var nextId = model.vocabulary.count
        for token in tokens where !token.content.isEmpty {
            let key = Array(token.content.utf8)
            if let id = idOf[key], tokenOf[id] == token { continue }
            let id: Int
            if let existing = idOf[key] ?? model.vocabulary.id(key) {
                id = existing
            } else {
                id = nextId
                nextId += 1
            }
            if token.normalized, let normalizer {
                var s = Array(token.content.unicodeScalars)
                normalizer.apply(&s)
                let normed = String(scalars: s)
                if !normed.utf8.elementsEqual(token.content.utf8) { normalizedContent[id] = normed }
            }
            idOf[key] = id
            if token.special { specialContents.insert(key) }
            tokenOf[id] = token
        }
        for (id, token) in tokenOf.sorted(by: { $0.key < $1.key }) {
            if token.normalized {
                let pattern = normalizedContent[id] ?? token.content
                normalizedTrie.insert(Array(pattern.unicodeScalars), id: id)
            } else {
                rawTrie.insert(Array(token.content.unicodeScalars), id: id)
            }
        }
    }

    /// The string `decode` shows for an added id (its normalized form when it has one).
    func content(of id: Int) -> String? {
        guard let token = tokenOf[id] else { return nil }
        return normalizedContent[id] ?? token.content
    }

    func isSpecial(_ token: String) -> Bool { specialContents.contains(Array(token.utf8)) }

    /// Splits the text on raw added tokens, normalizes the stretches between them, then
    /// splits those on normalized added tokens. Empty pieces are dropped.
    func extractAndNormalize(_ text: [Unicode.Scalar], normalizer: Normalizer?) -> [Piece] {
        var pieces: [Piece] = []
        for piece in split(Piece(scalars: text, atOrigin: true, tokenId: nil), trie: rawTrie) {
            if piece.tokenId != nil { pieces.append(piece); continue }
            var normalized = piece
            normalizer?.apply(&normalized.scalars)
            pieces.append(contentsOf: split(normalized, trie: normalizedTrie))
        }
        return pieces
    }

    private func split(_ piece: Piece, trie: Trie) -> [Piece] {
        let s = piece.scalars
        if s.isEmpty { return [] }
        if trie.isEmpty { return [piece] }
        var out: [Piece] = []
        var startOffset = 0
        var i = 0
        while i < s.count {
            guard let (length, id) = trie.longestMatch(in: s, at: i) else { i += 1; continue }
            var start = i
            var stop = i + length
            i = stop  // the search resumes after the match, whether it is used or not
            guard let token = tokenOf[id] else { continue }
            if token.singleWord {
                let startSpace = start == 0 || !s[start - 1].isRegexWordCharacter
                let stopSpace = stop == s.count || !s[stop].isRegexWordCharacter
                if !startSpace || !stopSpace { continue }
            }
            if token.lstrip {
                var newStart = start
                while newStart > 0, s[newStart - 1].isWhiteSpace { newStart -= 1 }
                start = max(newStart, startOffset)
            }
            if token.rstrip {
                while stop < s.count, s[stop].isWhiteSpace { stop += 1 }
            }
            start = max(start, startOffset)
            if startOffset < start {
                out.append(Piece(scalars: Array(s[startOffset..<start]), atOrigin: piece.atOrigin && startOffset == 0, tokenId: nil))
            }
            out.append(Piece(scalars: Array(s[start..<stop]), atOrigin: false, tokenId: id))
            startOffset = stop
        }
        if startOffset < s.count {
            out.append(Piece(scalars: Array(s[startOffset...]), atOrigin: piece.atOrigin && startOffset == 0, tokenId: nil))
        }
        return out
    }
}

/// A scalar trie answering "longest pattern starting here".
private struct Trie: Sendable {
    private var children: [[UInt32: Int]] = [[:]]
    private var terminal: [Int?] = [nil]

    var isEmpty: Bool { children[0].isEmpty }

    mutating func insert(_ pattern: [Unicode.Scalar], id: Int) {
        guard !pattern.isEmpty else { return }
        var node = 0
        for s in pattern {
            if let next = children[node][s.value] {
                node = next
            } else {
                children.append([:])
                terminal.append(nil)
                children[node][s.value] = children.count - 1
                node = children.count - 1
            }
        }
        if terminal[node] == nil { terminal[node] = id }
    }

    func longestMatch(in s: [Unicode.Scalar], at start: Int) -> (length: Int, id: Int)? {
        var node = 0
        var best: (Int, Int)?
        var i = start
        while i < s.count, let next = children[node][s[i].value] {
            node = next
            i += 1
            if let id = terminal[node] { best = (i - start, id) }
        }
        return best
    }
}
