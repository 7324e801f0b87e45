import Testing
@testable import TemperText

@Suite struct ExampleEncoderTests {
    let world: Tokenizer

    init() throws { world = try FixturePaths.tokenizer("wordlevel") }

    func id(_ token: String) throws -> Int32 { Int32(try #require(world.tokenToId(token))) }

    @Test func labelsOnlyTheResponseAndEos() throws {
        let encoder = try ExampleEncoder(tokenizer: world, maxLength: 64)
        let e = try encoder.encode(prompt: "the quick fox", response: "the dog")
        let expectedIds = [1, try id("the"), try id("quick"), try id("fox"), try id("the"), try id("dog"), 2]
        #expect(e.inputIds == expectedIds)
        #expect(e.labels == [-100, -100, -100, -100, try id("the"), try id("dog"), 2])
        #expect(e.promptLength == 4 && !e.truncated)
    }

    @Test func boundaryIsExactForByteLevelBPE() throws {
        // GPT-2 style: the prompt part ends in a space that merges into the response's first token.
        let gpt2 = try FixturePaths.tokenizer("gpt2_bpe")
        let encoder = try ExampleEncoder(tokenizer: gpt2, maxLength: 128)
        let e = try encoder.encode(prompt: "The model reads", response: "the response")
        let full = try gpt2.encode("The model reads the response", addSpecialTokens: false).map(Int32.init)
        let prompt = try gpt2.encode("The model reads", addSpecialTokens: false)
        #expect(Array(e.inputIds.dropFirst().dropLast()) == full)
        #expect(e.promptLength == 1 + prompt.count)
        #expect(e.labels.prefix(e.promptLength).allSatisfy { $0 == Example.ignoreIndex })
        #expect(Array(e.labels.dropFirst(e.promptLength)) == Array(e.inputIds.dropFirst(e.promptLength)))
        #expect(gpt2.decode(e.inputIds.dropFirst(e.promptLength).map(Int.init), skipSpecialTokens: true) == " the response")
    }

    @Test func truncatesFromTheRight() throws {
        let encoder = try ExampleEncoder(tokenizer: world, maxLength: 5)
        let e = try encoder.encode(prompt: "the quick fox", response: "the dog")
        #expect(e.inputIds.count == 5 && e.labels.count == 5 && e.truncated)
        #expect(e.inputIds == [1, try id("the"), try id("quick"), try id("fox"), try id("the")])
        #expect(e.labels == [-100, -100, -100, -100, try id("the")])
        let short = try ExampleEncoder(tokenizer: world, maxLength: 2).encode(prompt: "the quick fox", response: "dog")
        #expect(short.labels == [-100, -100] && short.promptLength == 2)
    }

    @Test func refusalTargetAndItsAbsence() throws {
        let encoder = try ExampleEncoder(tokenizer: world, maxLength: 64)
        let row = DatasetRow(prompt: "the fox", response: "the dog", refusal: "the model", line: 9)
        let e = try encoder.encode(row, target: .refusal)
        #expect(e.inputIds.suffix(3) == [try id("the"), try id("model"), 2])
        #expect(throws: TextError.missingRefusal(row: 9)) {
            try encoder.encode(DatasetRow(prompt: "a", response: "b", line: 9), target: .refusal)
        }
    }

    @Test func templatesWithoutSpecialTokensAndTokenizersWithoutThem() throws {
        let bare = try PromptTemplate(format: "{prompt} {response}", addBos: false, addEos: false)
        let e = try ExampleEncoder(tokenizer: world, template: bare, maxLength: 16).encode(prompt: "the", response: "dog")
        let the = try id("the"), dog = try id("dog")
        #expect(e.inputIds == [the, dog] && e.labels == [-100, dog])
        let bert = try FixturePaths.tokenizer("bert_uncased")  // defines no bos/eos
        #expect(throws: TextError.self) { try ExampleEncoder(tokenizer: bert, maxLength: 16) }
        #expect(throws: TextError.self) { try ExampleEncoder(tokenizer: world, maxLength: 0) }
    }
}
