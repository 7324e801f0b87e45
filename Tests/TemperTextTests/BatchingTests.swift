import Foundation
import Testing
@testable import TemperText

@Suite struct BatchingTests {
    func example(_ ids: [Int32], prompt: Int) -> Example {
        Example(inputIds: ids, labels: ids.enumerated().map { $0.offset < prompt ? -100 : $0.element },
                promptLength: prompt, truncated: false)
    }

    @Test func padsRightWithMaskAndIgnoredLabels() throws {
        let batch = try Batch(examples: [example([1, 5, 6, 2], prompt: 2), example([1, 7], prompt: 1)], indices: [3, 0], padId: 0)
        #expect(batch.shape == [2, 4])
        #expect(batch.inputIds == [1, 5, 6, 2, 1, 7, 0, 0])
        #expect(batch.labels == [-100, -100, 6, 2, -100, 7, -100, -100])
        #expect(batch.attentionMask == [1, 1, 1, 1, 1, 1, 0, 0])
        #expect(Array(batch.inputIds(row: 1)) == [1, 7, 0, 0] && batch.exampleIndices == [3, 0])
        let fixed = try Batch(examples: [example([1, 7], prompt: 1)], indices: [0], padId: 9, fixedLength: 3)
        #expect(fixed.inputIds == [1, 7, 9] && fixed.attentionMask == [1, 1, 0])
        #expect(throws: TextError.self) { try Batch(examples: [example([1, 2, 3], prompt: 1)], indices: [0], padId: 0, fixedLength: 2) }
        #expect(throws: TextError.self) { try Batch(examples: [], indices: [], padId: 0) }
    }

    @Test func samplerIsSeededAndCoversEveryExampleOncePerEpoch() throws {
        let sampler = try BatchSampler(count: 10, batchSize: 4, seed: 123)
        #expect(sampler.batchesPerEpoch == 3)
        let epoch0 = sampler.batches(epoch: 0)
        #expect(epoch0.map(\.count) == [4, 4, 2])
        #expect(epoch0.flatMap { $0 }.sorted() == Array(0..<10))
        #expect(epoch0 == (try BatchSampler(count: 10, batchSize: 4, seed: 123)).batches(epoch: 0))
        #expect(epoch0 != sampler.batches(epoch: 1))
        #expect(epoch0 != (try BatchSampler(count: 10, batchSize: 4, seed: 124)).batches(epoch: 0))
        #expect(sampler.batch(atStep: 4) == (1, sampler.batches(epoch: 1)[1]))
        let ordered = try BatchSampler(count: 5, batchSize: 2, seed: 1, shuffle: false, dropLast: true)
        #expect(ordered.batches(epoch: 3) == [[0, 1], [2, 3]])
        #expect(throws: TextError.self) { try BatchSampler(count: 3, batchSize: 4, seed: 0, dropLast: true) }
        #expect(throws: TextError.self) { try BatchSampler(count: 0, batchSize: 1, seed: 0) }
    }

    @Test func endToEndFromJSONLToBatches() throws {
        let tokenizer = try FixturePaths.tokenizer("wordlevel")
        let data = """
        {"prompt": "the quick fox", "response": "the dog"}
        {"prompt": "the dog", "response": "the quick brown fox jumps"}
        {"prompt": "the fox", "response": "the fox"}
        """
        let dataset = try JSONLDataset(data: Data(data.utf8), path: "e2e.jsonl")
        let encoder = try ExampleEncoder(tokenizer: tokenizer, maxLength: 32)
        let examples = try encoder.encode(dataset)
        let sampler = try BatchSampler(count: examples.count, batchSize: 2, seed: 5)
        let padId = Int32(try #require(tokenizer.padTokenId))
        let a = try sampler.makeBatch(step: 0, examples: examples, padId: padId)
        let b = try sampler.makeBatch(step: 0, examples: examples, padId: padId)
        #expect(a == b && a.batchSize == 2)
        for (row, index) in a.exampleIndices.enumerated() {
            let ex = examples[index]
            #expect(Array(a.inputIds(row: row).prefix(ex.inputIds.count)) == ex.inputIds)
            #expect(a.attentionMask(row: row).reduce(0, +) == Int32(ex.inputIds.count))
            #expect(a.labels(row: row).dropFirst(ex.inputIds.count).allSatisfy { $0 == -100 })
        }
        #expect(throws: TextError.self) { try sampler.makeBatch(step: 0, examples: Array(examples.prefix(2)), padId: padId) }
    }
}
