import Foundation
import Testing
import TemperTensor
@testable import TemperModels

/// Incremental decoding with the cache must give the logits of the full forward pass.
@Suite struct KVCacheTests {
    @Test(arguments: ["tiny-llama", "llama-tied-llama3", "qwen2", "gpt2"])
    func cachedLogitsEqualTheFullPass(name: String) throws {
        let model = try ModelRegistry.loadCausalLM(ModelFixtures.folder(name))
        let rows = [[1, 5, 9, 3, 7, 11, 4, 8], [1, 6, 2, 10, 12, 3, 3, 9]]
        try noGrad {
            let full = try model.logits(try TokenBatch(rows: rows))
            let cache = model.makeCache(batchSize: 2)
            // Prefill 3 positions, then one by one.
            var pieces = [try #require(try model.forward(try TokenBatch(rows: rows.map { Array($0[0..<3]) }), options: ForwardOptions(), cache: cache).logits)]
            for t in 3..<rows[0].count {
                pieces.append(try #require(try model.forward(try TokenBatch(rows: rows.map { [$0[t]] }), options: ForwardOptions(), cache: cache).logits))
            }
            #expect(cache.length == rows[0].count)
            let incremental = try concat(pieces, axis: 1)
            let d = difference(incremental.toArray(), full.toArray())
            report("\(name) KV cache vs full forward", d)
            #expect(d.maxAbs <= 1e-5, "\(name): \(d)")
            // `.last` logits are the last row of the full pass.
            cache.reset()
            let last = try #require(try model.forward(try TokenBatch(rows: rows), options: ForwardOptions(logits: .last), cache: cache).logits)
            #expect(last.shape == [2, 1, model.vocabSize])
            #expect(difference(last.toArray(), try full.slice(axis: 1, 7..<8).toArray()).maxAbs <= 1e-6)
        }
    }

    @Test func misuseIsRejected() throws {
        let model = try LlamaModel.load(ModelFixtures.folder("tiny-llama"))
        let cache = model.makeCache(batchSize: 1)
        #expect(throws: ModelError.self) { try model.forward(try TokenBatch(rows: [[1, 2], [3, 4]]), options: ForwardOptions(), cache: cache) }
        let padded = try TokenBatch(ids: [1, 2, 0], batchSize: 1, attentionMask: [true, true, false])
        #expect(throws: ModelError.self) { try model.forward(padded, options: ForwardOptions(), cache: cache) }
        #expect(cache.length == 0)
    }
}
