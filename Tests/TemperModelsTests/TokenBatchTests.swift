import Foundation
import Testing
import TemperText
@testable import TemperModels

@Suite struct TokenBatchTests {
    @Test func shapesAndValidation() throws {
        let b = try TokenBatch(rows: [[1, 2, 3], [4, 5, 6]])
        #expect(b.batchSize == 2 && b.length == 3 && Array(b.row(1)) == [4, 5, 6] && !b.hasPadding)
        #expect(throws: ModelError.self) { try TokenBatch(rows: [[1, 2], [3]]) }
        #expect(throws: ModelError.self) { try TokenBatch(ids: [], batchSize: 1) }
        #expect(throws: ModelError.self) { try TokenBatch(ids: [1, 2, 3], batchSize: 2) }
        #expect(throws: ModelError.self) { try TokenBatch(ids: [1, 2], batchSize: 1, attentionMask: [true]) }
        #expect(throws: ModelError.self) { try TokenBatch(ids: [1, 2], batchSize: 1, tokenTypeIds: [0]) }
        #expect(throws: ModelError.self) { try b.check(vocabSize: 6) }
        try b.check(vocabSize: 7)
    }

    @Test func fromTemperTextBatch() throws {
        let examples = [Example(inputIds: [1, 5, 6], labels: [-100, 5, 6], promptLength: 1, truncated: false),
                        Example(inputIds: [1, 7], labels: [-100, 7], promptLength: 1, truncated: false)]
        let tokens = try TokenBatch(try Batch(examples: examples, indices: [0, 1], padId: 0))
        #expect(tokens.ids == [1, 5, 6, 1, 7, 0])
        #expect(tokens.attentionMask == [true, true, true, true, true, false] && tokens.hasPadding)
    }
}
