import Foundation
import Testing
import TemperTensor
import TemperFormats
import TemperText
@testable import TemperModels

/// BERT against transformers and sentence-transformers' mean pooling, fed by TemperText's
/// WordPiece tokenizer (whose ids must equal the reference tokenizer's).
@Suite struct BERTTests {
    let model: BERTModel
    let ref: Reference
    let tokenizer: Tokenizer

    init() throws {
        model = try BERTModel.load(ModelFixtures.folder("bert"))
        ref = try ModelFixtures.reference("bert")
        tokenizer = try Tokenizer.load(ModelFixtures.folder("bert").appendingPathComponent("tokenizer.json"))
    }

    @Test func tokenizationMatchesReference() throws {
        let tokens = try BERTModel.batch(try ref.strings("texts"), tokenizer: tokenizer, padId: 0)
        #expect(tokens.ids == (try ref.ints("ids")).flatMap { $0 })
        #expect(tokens.tokenTypeIds == (try ref.ints("token_type_ids")).flatMap { $0 })
        #expect(tokens.attentionMask == (try ref.ints("attention_mask")).flatMap { $0 }.map { $0 != 0 })
    }

    @Test func encoderMatchesTransformers() throws {
        let tokens = try BERTModel.batch(try ref.strings("texts"), tokenizer: tokenizer, padId: 0)
        let out = try noGrad { try model.forward(tokens, options: ForwardOptions(captureResiduals: true, captureMLPOutputs: true)) }
        let last = try #require(out.finalHidden)
        let d = try difference(last, try ref.tensor("last_hidden"))
        report("bert last hidden", d)
        #expect(d.maxAbs <= 1e-4, "\(d)")
        #expect(out.residuals.count == 3 && out.mlpOutputs.count == 2)
        for (i, h) in out.residuals.enumerated() {
            let dh = try difference(h, try ref.tensor("residual.\(i)"))
            #expect(dh.maxAbs <= 1e-4, "residual \(i): \(dh)")
        }
        let pooled = try difference(try noGrad { try model.pooled(last) }, try ref.tensor("pooler"))
        report("bert pooler", pooled)
        #expect(pooled.maxAbs <= 1e-4, "\(pooled)")
    }

    @Test func sentenceEmbeddingMatchesSentenceTransformers() throws {
        let embedding = try noGrad { try model.sentenceEmbeddings(try ref.strings("texts"), tokenizer: tokenizer) }
        let d = try difference(embedding, try ref.tensor("mean_pooled"))
        report("bert mean-pooled embedding", d)
        #expect(d.maxAbs <= 1e-4, "\(d)")
    }

    /// A tokenizer.json that pads (to a fixed length, on the right as BERT folders do) changes
    /// no embedding: the attention mask keeps padding out of attention and out of the mean.
    /// (Left padding shifts BERT's absolute positions, in transformers as here.)
    @Test func tokenizerPaddingIsMaskedOut() throws {
        let texts = try ref.strings("texts")
        let plain = try noGrad { try model.sentenceEmbeddings(texts, tokenizer: tokenizer) }
        for fromLeft in [false] {
            var padded = tokenizer
            padded.padding = Padding(fixedLength: 24, padId: 0, fromLeft: fromLeft)
            #expect(try padded.encodeBatch(texts).allSatisfy { $0.ids.count == 24 && $0.attentionMask.contains(0) })
            let embedding = try noGrad { try model.sentenceEmbeddings(texts, tokenizer: padded) }
            #expect(difference(embedding.toArray(), plain.toArray()).maxAbs <= 1e-5)
        }
    }

    @Test func sentencePairUsesTokenTypes() throws {
        let pair = try ref.strings("pair")
        let encoding = try tokenizer.encodePair(pair[0], pair[1])
        #expect(encoding.ids == (try ref.ints("pair_ids"))[0])
        #expect(encoding.typeIds == (try ref.ints("pair_token_type_ids"))[0])
        let tokens = try TokenBatch(ids: encoding.ids, batchSize: 1, tokenTypeIds: encoding.typeIds)
        let last = try #require(try noGrad { try model.forward(tokens) }.finalHidden)
        let d = try difference(last, try ref.tensor("pair_last_hidden"))
        #expect(d.maxAbs <= 1e-4, "\(d)")
        // Token types matter: all-zero types give other states.
        let zeros = try TokenBatch(ids: encoding.ids, batchSize: 1)
        let other = try #require(try noGrad { try model.forward(zeros) }.finalHidden)
        #expect(difference(other.toArray(), last.toArray()).maxAbs > 1e-3)
    }

    @Test func rejectsBadTokenTypesAndLongInputs() throws {
        let bad = try TokenBatch(ids: [2, 5, 3], batchSize: 1, tokenTypeIds: [0, 2, 0])
        #expect(throws: ModelError.self) { try model.forward(bad) }
        let long = try TokenBatch(Array(repeating: 5, count: model.config.maxPositions + 1))
        #expect(throws: ModelError.self) { try model.forward(long) }
        #expect(throws: ModelError.self) { try model.sentenceEmbeddings([], tokenizer: tokenizer) }
    }

    @Test func parametersAreGroupedByLayerAndModule() throws {
        let groups = model.parameters.grouped()
        #expect(groups.first?.key == ParameterGroupKey(layer: nil, module: .embedding))
        #expect(groups.contains { $0.key == ParameterGroupKey(layer: 1, module: .attention) && $0.parameters.count == 8 })
        #expect(groups.contains { $0.key == ParameterGroupKey(layer: 0, module: .mlp) && $0.parameters.count == 4 })
        #expect(model.parameters.named("pooler.dense.weight")?.module == .head)
        #expect(model.parameters.count == 5 + 2 * 16 + 2)
    }
}

@Suite struct BERTConfigAndNamingTests {
    @Test func configErrors() throws {
        let body = #""vocab_size": 10, "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 16, "max_position_embeddings": 8"#
        let c = try BERTConfig(data: Data("{\(body)}".utf8), path: "c")
        #expect(c.typeVocabSize == 2 && c.layerNormEps == 1e-12)
        #expect(throws: ModelError.unsupportedConfig(path: "c", field: "position_embedding_type", value: "relative_key")) {
            try BERTConfig(data: Data("{\(body), \"position_embedding_type\": \"relative_key\"}".utf8), path: "c")
        }
        #expect(throws: ModelError.unsupportedConfig(path: "c", field: "is_decoder", value: "true")) {
            try BERTConfig(data: Data("{\(body), \"is_decoder\": true}".utf8), path: "c")
        }
        #expect(throws: ModelError.self) { try BERTConfig(data: Data(#"{"vocab_size": 10}"#.utf8), path: "c") }
    }

    /// BertForPreTraining-style names: `bert.` prefix plus `cls.` heads, which are skipped.
    @Test func prefixedCheckpointWithPretrainingHeads() throws {
        let folder = try ModelFixtures.copy("bert")
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        let source = try Checkpoint.open(ModelFixtures.folder("bert"))
        let specs = source.tensors.map { TensorSpec(name: "bert." + $0.name, dtype: $0.dtype, shape: $0.shape) }
            + [TensorSpec(name: "cls.predictions.bias", dtype: .f32, shape: [3])]
        try SafetensorsWriter.write(to: folder.appendingPathComponent("model.safetensors"), tensors: specs) { spec in
            if spec.name.hasPrefix("cls.") { return [UInt8](repeating: 0, count: 12) }
            return [UInt8](try source.bytes(of: try #require(source.record(named: String(spec.name.dropFirst(5))))))
        }
        let model = try BERTModel.load(folder)
        #expect(model.hasPooler && model.parameters.count == source.tensors.count)
        #expect(model.parameters.named("bert.encoder.layer.1.output.dense.weight")?.layer == 1)
    }
}
