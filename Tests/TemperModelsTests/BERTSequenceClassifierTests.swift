import Foundation
import Testing
import TemperFormats
import TemperTensor
import TemperText
@testable import TemperModels

/// A fixture classifier and what transformers computed for it
/// (Fixtures/models/make_classifier_fixture.py).
struct ClassifierFixture {
    static let names = ["tiny-bert-classifier", "tiny-roberta-classifier"]
    let model: BERTSequenceClassifier
    let tokenizer: Tokenizer
    let expected: [String: Any]

    init(_ name: String) throws {
        let folder = ModelFixtures.folder(name)
        model = try BERTSequenceClassifier.load(folder)
        tokenizer = try Tokenizer.load(folder.appendingPathComponent("tokenizer.json"))
        let data = try Data(contentsOf: ModelFixtures.root.appendingPathComponent("models/\(name).expected.json"))
        expected = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func strings(_ key: String) throws -> [String] { try #require(expected[key] as? [String], "\(key)") }
    func matrix(_ key: String) throws -> [Float] {
        try #require(expected[key] as? [[Double]], "\(key)").flatMap { $0 }.map(Float.init)
    }
    func ints(_ key: String) throws -> [Int] { try #require(expected[key] as? [[Int]], "\(key)").flatMap { $0 } }
    func pairs() throws -> (first: [String], second: [String]) {
        let rows = try #require(expected["pairs"] as? [[String]])
        return (rows.map { $0[0] }, rows.map { $0[1] })
    }
    var padId: Int { model.encoder.config.padTokenId ?? 0 }
}

/// Both fixture classifiers against the logits transformers computed.
@Suite struct BERTSequenceClassifierTests {
    @Test(arguments: ClassifierFixture.names) func labelsAndTokenizationMatchTransformers(name: String) throws {
        let f = try ClassifierFixture(name)
        #expect(f.model.labels == (try f.strings("labels")))
        #expect(f.model.head.problemType == .singleLabel && f.model.head.scoreFunction == .softmax)
        let tokens = try BERTModel.batch(try f.strings("texts"), tokenizer: f.tokenizer, padId: f.padId)
        #expect(tokens.ids == (try f.ints("ids")))
        #expect(tokens.tokenTypeIds == (try f.ints("token_type_ids")))
        #expect(tokens.attentionMask == (try f.ints("attention_mask")).map { $0 != 0 })
        let (first, second) = try f.pairs()
        let pairTokens = try BERTModel.batch(first, pairs: second, tokenizer: f.tokenizer, padId: f.padId)
        #expect(pairTokens.ids == (try f.ints("pair_ids")))
        #expect(pairTokens.tokenTypeIds == (try f.ints("pair_token_type_ids")))
    }

    /// One padded batch, and chunks of 3 and 1 (other padding widths): the same logits.
    @Test(arguments: ClassifierFixture.names, [16, 3, 1]) func logitsMatchTransformers(name: String, batchSize: Int) throws {
        let f = try ClassifierFixture(name)
        let logits = try f.model.logits(texts: try f.strings("texts"), tokenizer: f.tokenizer, batchSize: batchSize)
        let d = difference(logits.flatMap { $0 }, try f.matrix("logits"))
        report("\(name) logits (batch \(batchSize))", d)
        #expect(logits.count == 10 && d.maxAbs <= 1e-5, "\(d)")
    }

    @Test(arguments: ClassifierFixture.names) func pairLogitsMatchTransformers(name: String) throws {
        let f = try ClassifierFixture(name)
        let (first, second) = try f.pairs()
        let logits = try f.model.logits(texts: first, tokenizer: f.tokenizer, pairs: second).flatMap { $0 }
        let d = difference(logits, try f.matrix("pair_logits"))
        report("\(name) pair logits", d)
        #expect(d.maxAbs <= 1e-5, "\(d)")
    }

    /// Texts and pairs over the 64 positions, cut as `truncation=True` does (longest_first):
    /// both sides of a pair, only the longer one, a single text.
    @Test(arguments: ClassifierFixture.names) func truncationMatchesTransformers(name: String) throws {
        let f = try ClassifierFixture(name)
        let long = try f.strings("long_texts")
        #expect(throws: ModelError.self) { try f.model.logits(texts: long, tokenizer: f.tokenizer) }
        let positions = f.model.encoder.config.maxLength
        let cut = try long.map { try EncodingTruncation.encode($0, pair: nil, tokenizer: f.tokenizer, maxLength: positions) }
        #expect(try BERTModel.batch(cut, padId: f.padId).ids == (try f.ints("long_ids")))
        let logits = try f.model.logits(texts: long, tokenizer: f.tokenizer, truncate: true).flatMap { $0 }
        let d = difference(logits, try f.matrix("long_logits"))
        report("\(name) truncated logits", d)
        #expect(d.maxAbs <= 1e-5, "\(d)")

        let rows = try #require(f.expected["long_pairs"] as? [[String]])
        let (first, second) = (rows.map { $0[0] }, rows.map { $0[1] })
        let cutPairs = try zip(first, second).map {
            try EncodingTruncation.encode($0, pair: $1, tokenizer: f.tokenizer, maxLength: positions)
        }
        let pairTokens = try BERTModel.batch(cutPairs, padId: f.padId)
        #expect(pairTokens.ids == (try f.ints("long_pair_ids")))
        #expect(pairTokens.tokenTypeIds == (try f.ints("long_pair_token_type_ids")))
        let pairLogits = try f.model.logits(texts: first, tokenizer: f.tokenizer, pairs: second, truncate: true).flatMap { $0 }
        let dp = difference(pairLogits, try f.matrix("long_pair_logits"))
        report("\(name) truncated pair logits", dp)
        #expect(dp.maxAbs <= 1e-5, "\(dp)")
    }

    @Test func longestFirstKeepsTheShorterSide() {
        #expect(EncodingTruncation.keptLengths([10], budget: 4) == [4])
        #expect(EncodingTruncation.keptLengths([3, 2], budget: 9) == [3, 2])
        #expect(EncodingTruncation.keptLengths([3, 20], budget: 9) == [3, 6])
        #expect(EncodingTruncation.keptLengths([20, 3], budget: 9) == [6, 3])
        #expect(EncodingTruncation.keptLengths([20, 30], budget: 9) == [4, 5])
        #expect(EncodingTruncation.keptLengths([30, 20], budget: 9) == [5, 4])
    }

    /// BERT pairs: all-zero token types give transformers other logits; Temper must not match those.
    @Test func bertPairsUseTokenTypes() throws {
        let f = try ClassifierFixture("tiny-bert-classifier")
        let (first, second) = try f.pairs()
        let logits = try f.model.logits(texts: first, tokenizer: f.tokenizer, pairs: second).flatMap { $0 }
        #expect(difference(logits, try f.matrix("pair_logits_zero_token_types")).maxAbs > 1e-4)
    }

    /// RoBERTa positions (padding_idx + 1 onwards) matter: BERT's 0-based ones give other logits.
    @Test func robertaPositionsAreOffsetByThePadId() throws {
        let f = try ClassifierFixture("tiny-roberta-classifier")
        #expect(f.model.encoder.config.positionPaddingIndex == 1 && f.model.encoder.config.maxLength == 64)
        var config = f.model.encoder.config
        config.positionPaddingIndex = nil
        let bertPositions = try BERTSequenceClassifier(config: config, head: f.model.head,
                                                       checkpoint: try Checkpoint.open(ModelFixtures.folder("tiny-roberta-classifier")))
        let logits = try bertPositions.logits(texts: try f.strings("texts"), tokenizer: f.tokenizer).flatMap { $0 }
        #expect(difference(logits, try f.matrix("logits")).maxAbs > 1e-3)
    }

    @Test(arguments: ClassifierFixture.names) func probabilitiesAreTheSoftmaxOfTheLogits(name: String) throws {
        let f = try ClassifierFixture(name)
        let probabilities = try f.model.probabilities(texts: try f.strings("texts"), tokenizer: f.tokenizer)
        let d = difference(probabilities.flatMap { $0 }, try f.matrix("probabilities"))
        #expect(d.maxAbs <= 1e-5, "\(d)")
        for row in probabilities { #expect(abs(row.reduce(0, +) - 1) < 1e-5) }
        // The fixtures were trained to separate the stand-in topics.
        let harmful = try f.model.labelIndex(named: "harmful")
        #expect(probabilities[0][harmful] < 0.5 && probabilities[1][harmful] > 0.5)
    }

    /// Padding must be masked: the padded rows attended without a mask give other logits.
    @Test(arguments: ClassifierFixture.names) func attentionMaskIsRespected(name: String) throws {
        let f = try ClassifierFixture(name)
        let tokens = try BERTModel.batch(try f.strings("texts"), tokenizer: f.tokenizer, padId: f.padId)
        let unmasked = try TokenBatch(ids: tokens.ids, batchSize: tokens.batchSize, tokenTypeIds: tokens.tokenTypeIds)
        let logits = try noGrad { try f.model.logits(unmasked) }.toArray()
        #expect(difference(logits, try f.matrix("logits")).maxAbs > 1e-3)
    }

    @Test func labelIndexAcceptsNamesAndIndices() throws {
        let model = try ClassifierFixture("tiny-bert-classifier").model
        #expect(try model.labelIndex(named: "harmful") == 1)
        #expect(try model.labelIndex(named: "safe") == 0)
        #expect(try model.labelIndex(named: "HARMFUL") == 1)
        #expect(try model.labelIndex(named: "1") == 1)
        #expect(throws: ModelError.unknownLabel(label: "toxic", labels: ["safe", "harmful"])) {
            try model.labelIndex(named: "toxic")
        }
        #expect(throws: ModelError.unknownLabel(label: "2", labels: ["safe", "harmful"])) { try model.labelIndex(named: "2") }
        let message = ModelError.unknownLabel(label: "toxic", labels: ["safe", "harmful"]).localizedDescription
        #expect(message.contains("0 'safe'") && message.contains("1 'harmful'"))
    }

    @Test func rejectsBadCalls() throws {
        let f = try ClassifierFixture("tiny-bert-classifier")
        let (model, tokenizer) = (f.model, f.tokenizer)
        #expect(throws: ModelError.self) { try model.logits(texts: [], tokenizer: tokenizer) }
        #expect(throws: ModelError.self) { try model.logits(texts: ["a", "b"], tokenizer: tokenizer, pairs: ["c"]) }
        #expect(throws: ModelError.self) { try model.logits(texts: ["a"], tokenizer: tokenizer, batchSize: 0) }
        let long = Array(repeating: "zorbium", count: 70).joined(separator: " ")
        #expect(throws: ModelError.self) { try model.logits(texts: ["ok", long], tokenizer: tokenizer) }
        do {
            _ = try model.logits(texts: ["ok", long], tokenizer: tokenizer)
        } catch {
            #expect(error.localizedDescription.contains("text 1 encodes to 72 tokens"))
        }
    }
}

/// Folders that are not BertForSequenceClassification, or are broken ones.
@Suite struct BERTSequenceClassifierLoadingTests {
    static let name = "tiny-bert-classifier"

    /// A copy of the fixture with config.json edited by `edit`.
    func copy(editingConfig edit: (inout [String: Any]) -> Void) throws -> URL {
        let folder = try ModelFixtures.copy(Self.name)
        let url = folder.appendingPathComponent("config.json")
        var config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        edit(&config)
        try JSONSerialization.data(withJSONObject: config).write(to: url)
        return folder
    }

    /// A copy of a fixture whose weights lack `dropped` and gain `added` (zeros).
    func copy(_ name: String = Self.name, dropping dropped: Set<String>, adding added: [TensorSpec] = []) throws -> URL {
        let folder = try ModelFixtures.copy(name)
        let source = try Checkpoint.open(ModelFixtures.folder(name))
        let specs = source.tensors.filter { !dropped.contains($0.name) }.map { TensorSpec(name: $0.name, dtype: $0.dtype, shape: $0.shape) }
        try SafetensorsWriter.write(to: folder.appendingPathComponent("model.safetensors"), tensors: specs + added) { spec in
            guard let record = source.record(named: spec.name) else { return [UInt8](repeating: 0, count: spec.shape.reduce(4, *)) }
            return [UInt8](try source.bytes(of: record))
        }
        return folder
    }

    func remove(_ folder: URL) { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }

    @Test func refusesFoldersThatAreNotClassifiers() throws {
        for name in ["bert", "gpt2", "tiny-llama", "qwen2"] {
            #expect {
                try BERTSequenceClassifier.load(ModelFixtures.folder(name))
            } throws: { error in
                guard case ModelError.notAClassifier = error else { return false }
                return true
            }
        }
        let message = try #require(throwsError { try BERTSequenceClassifier.load(ModelFixtures.folder("gpt2")) })
        #expect(message.contains("not a sequence classifier") && message.contains("causal language model"))
        // No architectures listed and no classifier tensors: a bare encoder.
        let bare = try ModelFixtures.copy("bert")
        defer { remove(bare) }
        let url = bare.appendingPathComponent("config.json")
        var config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        config["architectures"] = nil
        try JSONSerialization.data(withJSONObject: config).write(to: url)
        let bareMessage = try #require(throwsError { try BERTSequenceClassifier.load(bare) })
        #expect(bareMessage.contains("no 'classifier.weight' tensor"))
    }

    @Test func namesUnsupportedClassifierArchitectures() throws {
        for architecture in ["DistilBertForSequenceClassification", "XLMRobertaForSequenceClassification"] {
            let folder = try copy { $0["architectures"] = [architecture] }
            defer { remove(folder) }
            #expect(throws: ModelError.unsupportedConfig(path: folder.appendingPathComponent("config.json").path,
                                                         field: "architectures", value: architecture)) {
                try BERTSequenceClassifier.load(folder)
            }
        }
    }

    @Test func architectureMustFitTheModelType() throws {
        let folder = try copy { $0["architectures"] = ["RobertaForSequenceClassification"] }
        defer { remove(folder) }
        #expect {
            try BERTSequenceClassifier.load(folder)
        } throws: { error in
            guard case ModelError.invalidConfigField(_, "architectures", _) = error else { return false }
            return true
        }
    }

    @Test func missingClassifierOrPoolerTensorIsNamed() throws {
        let cases: [(String, String, [Int])] = [
            (Self.name, "classifier.weight", [2, 32]), (Self.name, "classifier.bias", [2]),
            (Self.name, "bert.pooler.dense.weight", [32, 32]),
            ("tiny-roberta-classifier", "classifier.out_proj.weight", [2, 32]),
            ("tiny-roberta-classifier", "classifier.dense.bias", [32]),
        ]
        for (name, tensor, shape) in cases {
            let folder = try copy(name, dropping: [tensor])
            defer { remove(folder) }
            #expect(throws: ModelError.missingTensor(path: folder.path, tensor: tensor, expectedShape: shape)) {
                try BERTSequenceClassifier.load(folder)
            }
        }
    }

    @Test func numLabelsMustFitTheClassifierTensor() throws {
        let folder = try copy { $0["id2label"] = ["0": "a", "1": "b", "2": "c"]; $0["label2id"] = nil }
        defer { remove(folder) }
        #expect(throws: ModelError.shapeMismatch(path: folder.path, tensor: "classifier.weight", expected: [3, 32], actual: [2, 32])) {
            try BERTSequenceClassifier.load(folder)
        }
    }

    @Test func unexpectedTensorsAreRejected() throws {
        let folder = try copy(dropping: [], adding: [TensorSpec(name: "cls.predictions.bias", dtype: .f32, shape: [3])])
        defer { remove(folder) }
        #expect(throws: ModelError.unexpectedTensors(path: folder.path, tensors: ["cls.predictions.bias"])) {
            try BERTSequenceClassifier.load(folder)
        }
    }

    /// RobertaForSequenceClassification has no pooler: one in the file is dropped, as transformers does.
    @Test func robertaPoolerTensorsAreUnused() throws {
        let pooler = [TensorSpec(name: "roberta.pooler.dense.weight", dtype: .f32, shape: [32, 32]),
                      TensorSpec(name: "roberta.pooler.dense.bias", dtype: .f32, shape: [32])]
        let folder = try copy("tiny-roberta-classifier", dropping: [], adding: pooler)
        defer { remove(folder) }
        let model = try BERTSequenceClassifier.load(folder)
        #expect(!model.encoder.hasPooler && model.parameters.named("roberta.pooler.dense.weight") == nil)
    }

    /// Multi-label models score each label with a sigmoid; regression models have no probabilities.
    @Test func problemTypeChoosesTheScoreFunction() throws {
        let texts = ["cook the soup", "zorbium"]
        let multi = try copy { $0["problem_type"] = "multi_label_classification" }
        defer { remove(multi) }
        let model = try BERTSequenceClassifier.load(multi)
        let tokenizer = try Tokenizer.load(multi.appendingPathComponent("tokenizer.json"))
        let logits = try model.logits(texts: texts, tokenizer: tokenizer).flatMap { $0 }
        let scores = try model.probabilities(texts: texts, tokenizer: tokenizer).flatMap { $0 }
        #expect(difference(scores, logits.map { 1 / (1 + exp(-$0)) }).maxAbs < 1e-6)

        let regression = try copy { $0["problem_type"] = "regression" }
        defer { remove(regression) }
        let regressor = try BERTSequenceClassifier.load(regression)
        #expect(regressor.head.scoreFunction == SequenceClassificationConfig.ScoreFunction.none)
        #expect(throws: ModelError.self) { try regressor.probabilities(texts: texts, tokenizer: tokenizer) }
    }
}

/// The error message of `body`, nil when it does not throw.
private func throwsError(_ body: () throws -> Any) -> String? {
    do {
        _ = try body()
        return nil
    } catch {
        return error.localizedDescription
    }
}
