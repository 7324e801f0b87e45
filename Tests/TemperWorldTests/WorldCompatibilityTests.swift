import Foundation
import Testing
import TemperText
@testable import TemperWorld

@Suite struct WorldCompatibilityTests {
    func tokenizer(_ vocabulary: [String]) throws -> Tokenizer {
        try Tokenizer(jsonData: Data(WorldTokenizer.tokenizerJSON(vocabulary: vocabulary).utf8))
    }

    @Test func theWorldsOwnTokenizerMatches() throws {
        let language = WorldLanguage(seed: 0)
        try language.checkMatches(tokenizer: try tokenizer(language.vocabulary), modelVocabSize: language.vocabulary.count, modelFolder: "m")
    }

    @Test func anotherSeedsTokenizerOrVocabularySizeIsRefused() throws {
        let language = WorldLanguage(seed: 0), other = WorldLanguage(seed: 1)
        #expect(throws: WorldError.self) {
            try language.checkMatches(tokenizer: try tokenizer(other.vocabulary), modelVocabSize: other.vocabulary.count, modelFolder: "m")
        }
        #expect(throws: WorldError.self) {
            try language.checkMatches(tokenizer: try tokenizer(Array(language.vocabulary.dropLast())), modelVocabSize: language.vocabulary.count - 1,
                                      modelFolder: "m")
        }
        do {
            try language.checkMatches(tokenizer: try tokenizer(language.vocabulary), modelVocabSize: 63, modelFolder: "m")
            Issue.record("a model with 63 embedding rows was accepted")
        } catch let WorldError.tokenizerMismatch(path, reason) {
            #expect(path == "m" && reason.contains("63"))
        }
    }
}
