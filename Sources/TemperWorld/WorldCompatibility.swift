import Foundation
import TemperText

extension WorldLanguage {
    /// Throws `WorldError.tokenizerMismatch` unless `tokenizer` gives every word of this
    /// language its vocabulary id and the model's embedding has exactly that many rows: a
    /// model from another world (or another tokenizer) would be scored on the wrong words.
    public func checkMatches(tokenizer: Tokenizer, modelVocabSize: Int, modelFolder: String) throws {
        let words = vocabulary
        guard tokenizer.vocabSize == words.count else {
            throw WorldError.tokenizerMismatch(path: tokenizer.source,
                                               reason: "\(tokenizer.vocabSize) tokens, the world's language has \(words.count)")
        }
        for (id, word) in words.enumerated() where tokenizer.tokenToId(word) != id {
            let found = tokenizer.tokenToId(word).map { "id \($0)" } ?? "no id"
            throw WorldError.tokenizerMismatch(path: tokenizer.source, reason: "'\(word)' has \(found), the world gives it id \(id)")
        }
        guard modelVocabSize == words.count else {
            throw WorldError.tokenizerMismatch(path: modelFolder,
                                               reason: "the model has a vocabulary of \(modelVocabSize), the world's language has \(words.count)")
        }
    }
}
