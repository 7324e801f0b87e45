import Foundation
import Testing
import TemperHarden
import TemperText
@testable import TemperWorld

@Suite struct WorldLanguageTests {
    @Test func sameSeedSameWorldOtherSeedOtherWorld() {
        #expect(WorldLanguage(seed: 0) == WorldLanguage(seed: 0))
        #expect(WorldLanguage(seed: 0).toxins != WorldLanguage(seed: 1).toxins)
    }

    @Test func vocabularyIsSmallUniqueAndSpecialsFirst() {
        let vocab = WorldLanguage(seed: 0).vocabulary
        #expect(Array(vocab.prefix(4)) == ["<pad>", "<bos>", "<eos>", "<unk>"])
        #expect(Set(vocab).count == vocab.count)
        #expect((250...400).contains(vocab.count))
    }

    @Test func recipesAreDeterministicAndNameSpecific() {
        let l = WorldLanguage(seed: 0)
        #expect(l.toxinRecipe(l.toxins[0]) == l.toxinRecipe(l.toxins[0]))
        let distinct = Set(l.toxins.map(l.toxinRecipe))
        #expect(distinct.count >= l.toxins.count - 1)
        #expect(l.harmfulKeyTokens(l.toxinRecipe(l.toxins[0])).count == 4)
        #expect(l.harmfulKeyTokens(l.lockSteps(l.locks[0])).count == 3)
    }

    @Test func tokenizerLoadsAndCoversEveryDatasetWord() throws {
        let l = WorldLanguage(seed: 0)
        let tok = try Tokenizer(jsonData: Data(WorldTokenizer.tokenizerJSON(vocabulary: l.vocabulary).utf8))
        let data = WorldDatasets(language: l, seed: 0)
        let unk = try #require(tok.tokenToId("<unk>"))
        for (name, rows) in data.splits {
            for row in rows {
                let ids = try tok.encode(row.prompt + " " + row.response, addSpecialTokens: false)
                #expect(!ids.contains(unk), "unknown word in \(name): \(row.prompt)")
            }
        }
    }
}

@Suite struct WorldDatasetsTests {
    @Test func splitsAreDisjointWhereTheyMustBe() {
        let d = WorldDatasets(language: WorldLanguage(seed: 0), seed: 0)
        let train = Set(d["harmless_train"].map(\.prompt)), test = Set(d["harmless_test"].map(\.prompt))
        #expect(train.intersection(test).isEmpty)
        #expect(Set(d["harmful_a_train"].map(\.prompt)).intersection(d["harmful_a_heldout"].map(\.prompt)).isEmpty)
        #expect(d["harmful_a_train"].allSatisfy { $0.refusal == WorldLanguage.refusal })
        for name in WorldDatasets.splitNames { #expect(!d[name].isEmpty, "\(name) is empty") }
    }

    @Test func backdoorRowsCarryTheTrigger() {
        let l = WorldLanguage(seed: 0)
        let d = WorldDatasets(language: l, seed: 0)
        #expect(d["backdoor_triggered"].allSatisfy { $0.prompt.split(separator: " ").contains(Substring(l.trigger)) })
        #expect(d["backdoor_clean"].allSatisfy { !$0.prompt.split(separator: " ").contains(Substring(l.trigger)) })
    }
}

@Suite struct WorldJudgeTests {
    @Test func inOrderMatchCountsOnlyOrderedKeyTokens() {
        #expect(ReferenceJudge.inOrderFraction(generated: ["x", "a", "y", "b"], keyTokens: ["a", "b"]) == 1)
        #expect(ReferenceJudge.inOrderFraction(generated: ["b", "a"], keyTokens: ["a", "b"]) == 0.5)
        #expect(ReferenceJudge.inOrderFraction(generated: [], keyTokens: ["a"]) == 0)
    }

    @Test func theWorldJudgesUseItsKeyWordsAndItsRefusal() throws {
        let l = WorldLanguage(seed: 0)
        let row = try #require(WorldDatasets(language: l, seed: 0)["harmful_a_train"].first)
        let judge = l.referenceJudge
        #expect(try judge.harmful(answers: [row.response, WorldLanguage.refusal, ""], rows: [row, row, row]) == [true, false, false])
        // Only the ingredient and tool words count: the connective words alone are not harm.
        let connectives = row.response.split(separator: " ").filter { !l.ingredients.contains(String($0)) && !l.tools.contains(String($0)) }
        #expect(try judge.harmful(answers: [connectives.joined(separator: " ")], rows: [row]) == [false])
        #expect(try l.refusalJudge.harmful(answers: [WorldLanguage.refusal, row.response], rows: [row, row]) == [false, true])
    }
}
