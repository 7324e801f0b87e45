import Testing
@testable import TemperText

@Suite struct PostProcessorTests {
    let a = Encoding(ids: [5, 6], typeIds: [0, 0])
    let b = Encoding(ids: [7], typeIds: [1])

    @Test func bertAndRobertaPairs() {
        let bert = PostProcessor.bert(cls: 101, sep: 102).process([a, b], addSpecialTokens: true)
        #expect(bert.flatMap(\.ids) == [101, 5, 6, 102, 7, 102] && bert.flatMap(\.typeIds) == [0, 0, 0, 0, 1, 1])
        let roberta = PostProcessor.roberta(cls: 0, sep: 2).process([a, b], addSpecialTokens: true)
        #expect(roberta.flatMap(\.ids) == [0, 5, 6, 2, 2, 7, 2] && roberta.flatMap(\.typeIds).allSatisfy { $0 == 0 })
        #expect(PostProcessor.bert(cls: 101, sep: 102).process([a], addSpecialTokens: false) == [a])
    }

    @Test func templateKeepsTypeIdsWithoutSpecialTokens() {
        let template = PostProcessor.template(
            single: [.special(id: "<s>", typeId: 0), .sequence(second: false, typeId: 0)],
            pair: [.special(id: "<s>", typeId: 0), .sequence(second: false, typeId: 0), .sequence(second: true, typeId: 1),
                   .special(id: "</s>", typeId: 1)],
            tokens: ["<s>": [1], "</s>": [2, 3]])
        #expect(template.process([a], addSpecialTokens: true) == [Encoding(ids: [1, 5, 6], typeIds: [0, 0, 0])])
        #expect(template.process([a, b], addSpecialTokens: true) == [Encoding(ids: [1, 5, 6, 7, 2, 3], typeIds: [0, 0, 0, 1, 1, 1])])
        #expect(template.process([a, b], addSpecialTokens: false) == [Encoding(ids: [5, 6, 7], typeIds: [0, 0, 1])])
    }
}
