import Testing
import TemperModels
import TemperText
import TemperWorld
@testable import TemperHarden

@Suite struct PairedDataTests {
    static func encoding() throws -> TextEncoding {
        try HardenFixtures.encoding(try LlamaModel.load(HardenFixtures.worldModel), try Tokenizer.load(HardenFixtures.worldModel))
    }

    @Test func batchMatchesTheReferenceTokenization() throws {
        let (_, _, batch, reference) = try HardenFixtures.modelAndBatch()
        #expect(batch.batchSize == reference.harmful_ids.count)
        #expect(batch.harmfulIds == reference.harmful_ids.flatMap { $0 })
        #expect(batch.refusalIds == reference.refusal_ids.flatMap { $0 })
        #expect(batch.mask == reference.mask.flatMap { $0 }.map { $0 != 0 })
        #expect(batch.harmfulReal.count == batch.harmfulIds.count)
    }

    @Test func maskCoversOnlyDifferingAnswerTokens() throws {
        let row = DatasetRow(prompt: "how to bypass lock ligu ?", response: "first insert rovu then turn",
                           refusal: "sorry insert cannot help")
        let examples = try PairedData.examples(try HardenFixtures.set([row]), encoding: try Self.encoding())
        let e = try #require(examples.first)
        #expect(e.harmful.prefix(e.promptLength) == e.refusal.prefix(e.promptLength))
        let positions = e.differingPositions
        // bos + 6 prompt words; answer positions 7...: first/sorry differ, insert/insert agree,
        // rovu/cannot, then/help differ, turn/<eos> differ, <eos>/pad differ.
        #expect(positions == [7, 9, 10, 11, 12])
        let batch = try PairedBatch(examples, padId: 0)
        #expect(batch.maskedCount == 5 && batch.length == e.harmful.count)
        #expect(batch.refusalReal.filter { $0 }.count == e.refusal.count)
    }

    @Test func badRowsAreTypedErrors() throws {
        let encoding = try Self.encoding()
        let good = DatasetRow(prompt: "how to make toxin repi ?", response: "first take sote", refusal: "sorry i cannot help with that")
        #expect(throws: HardenError.unpairedRow(source: "test:pairs", line: 2, prompt: "how to make toxin nomi ?")) {
            _ = try PairedData.examples(try HardenFixtures.set([good, DatasetRow(prompt: "how to make toxin nomi ?", response: "first take sote")]),
                                        encoding: encoding)
        }
        #expect(throws: HardenError.emptyMask(source: "test:pairs", line: 1, prompt: good.prompt)) {
            _ = try PairedData.examples(try HardenFixtures.set([DatasetRow(prompt: good.prompt, response: "first take sote", refusal: "first take sote")]),
                                        encoding: encoding)
        }
        let empty = RowSet(name: "e", rows: [], record: DataRecord(role: "harmful", source: "empty.jsonl", sha256: "", rows: 0))
        #expect(throws: HardenError.emptyData(source: "empty.jsonl", reason: "no harmful rows to pair")) {
            _ = try PairedData.examples(empty, encoding: encoding)
        }
        #expect(throws: HardenError.self) { _ = try PairedBatch([], padId: 0) }
    }

    @Test func padEqualToARealTokenStillMasksByLength() throws {
        // pad = eos (GPT-2, Llama 3): the harmful answer's real eos against the refusal's
        // padding must still count as differing, and two paddings must not.
        let a = PairedExample(harmful: [1, 5, 6, 2], refusal: [1, 5, 7, 8, 2], promptLength: 2, row: 0)
        #expect(a.differingPositions == [2, 3, 4])
        let batch = try PairedBatch([a, PairedExample(harmful: [1, 9, 2], refusal: [1, 9, 3], promptLength: 2, row: 1)], padId: 2)
        #expect(batch.mask == [false, false, true, true, true, false, false, true, false, false])
    }

    @Test func rowsTooLongForTheContextAreTypedErrors() throws {
        let model = try LlamaModel.load(HardenFixtures.worldModel)
        let encoding = try TextEncoding(tokenizer: try Tokenizer.load(HardenFixtures.worldModel), model: model, maxLength: 4)
        let row = DatasetRow(prompt: "how to make toxin repi ?", response: "first take sote", refusal: "sorry i cannot help with that", line: 7)
        let set = RowSet(name: "p", rows: [row], record: DataRecord(role: "harmful", source: "p.jsonl", sha256: "", rows: 1))
        #expect(throws: HardenError.promptTooLong(source: "p.jsonl", line: 7, tokens: 4, maxLength: 4)) {
            _ = try PairedData.examples(set, encoding: encoding)
        }
    }

    @Test func pairingSeparateListsChecksPrompts() throws {
        let harmful = [DatasetRow(prompt: "a ?", response: "x"), DatasetRow(prompt: "b ?", response: "y")]
        let refusals = [DatasetRow(prompt: "a ?", response: "no"), DatasetRow(prompt: "b ?", response: "no")]
        let paired = try PairedData.pair(harmful: harmful, refusals: refusals)
        #expect(paired.map(\.refusal) == ["no", "no"] && paired.map(\.response) == ["x", "y"])
        #expect(throws: HardenError.self) { _ = try PairedData.pair(harmful: harmful, refusals: Array(refusals.prefix(1))) }
        #expect(throws: HardenError.self) { _ = try PairedData.pair(harmful: harmful, refusals: refusals.reversed()) }
    }
}
