import Testing
import TemperText
import TemperWorld
@testable import TemperHarden

@Suite struct PairedDataTests {
    static func tokenizer() throws -> Tokenizer { try Tokenizer.load(HardenFixtures.worldModel) }

    @Test func batchMatchesTheReferenceTokenization() throws {
        let (_, _, batch, reference) = try HardenFixtures.modelAndBatch()
        #expect(batch.batchSize == reference.harmful_ids.count)
        #expect(batch.harmfulIds == reference.harmful_ids.flatMap { $0 })
        #expect(batch.refusalIds == reference.refusal_ids.flatMap { $0 })
        #expect(batch.mask == reference.mask.flatMap { $0 }.map { $0 != 0 })
        #expect(batch.harmfulReal.count == batch.harmfulIds.count)
    }

    @Test func maskCoversOnlyDifferingAnswerTokens() throws {
        let row = WorldRow(prompt: "how to bypass lock ligu ?", response: "first insert rovu then turn",
                           refusal: "sorry insert cannot help")
        let examples = try PairedData.examples(rows: [row], tokenizer: try Self.tokenizer())
        let e = try #require(examples.first)
        #expect(e.harmful.prefix(e.promptLength) == e.refusal.prefix(e.promptLength))
        let positions = e.differingPositions(padId: 0)
        // bos + 6 prompt words; answer positions 7...: first/sorry differ, insert/insert agree,
        // rovu/cannot, then/help differ, turn/<eos> differ, <eos>/pad differ.
        #expect(positions == [7, 9, 10, 11, 12])
        let batch = try PairedBatch(examples, padId: 0)
        #expect(batch.maskedCount == 5 && batch.length == e.harmful.count)
        #expect(batch.refusalReal.filter { $0 }.count == e.refusal.count)
    }

    @Test func badRowsAreTypedErrors() throws {
        let tokenizer = try Self.tokenizer()
        let good = WorldRow(prompt: "how to make toxin repi ?", response: "first take sote", refusal: "sorry i cannot help with that")
        #expect(throws: HardenError.unpairedRow(index: 1, prompt: "how to make toxin nomi ?")) {
            _ = try PairedData.examples(rows: [good, WorldRow(prompt: "how to make toxin nomi ?", response: "first take sote")], tokenizer: tokenizer)
        }
        #expect(throws: HardenError.emptyMask(index: 0, prompt: good.prompt)) {
            _ = try PairedData.examples(rows: [WorldRow(prompt: good.prompt, response: "first take sote", refusal: "first take sote")], tokenizer: tokenizer)
        }
        #expect(throws: HardenError.emptyData("no harmful rows to pair")) { _ = try PairedData.examples(rows: [], tokenizer: tokenizer) }
        #expect(throws: HardenError.self) { _ = try PairedBatch([], padId: 0) }
    }

    @Test func pairingSeparateListsChecksPrompts() throws {
        let harmful = [WorldRow(prompt: "a ?", response: "x"), WorldRow(prompt: "b ?", response: "y")]
        let refusals = [WorldRow(prompt: "a ?", response: "no"), WorldRow(prompt: "b ?", response: "no")]
        let paired = try PairedData.pair(harmful: harmful, refusals: refusals)
        #expect(paired.map(\.refusal) == ["no", "no"] && paired.map(\.response) == ["x", "y"])
        #expect(throws: HardenError.self) { _ = try PairedData.pair(harmful: harmful, refusals: Array(refusals.prefix(1))) }
        #expect(throws: HardenError.self) { _ = try PairedData.pair(harmful: harmful, refusals: refusals.reversed()) }
    }
}
