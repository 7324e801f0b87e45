import Foundation
import Testing
import TemperFormats
import TemperTensor
import TemperText
@testable import TemperModels

/// The tiny BertForSequenceClassification fixture against the logits transformers computed
/// (Fixtures/models/make_classifier_fixture.py), and the folders it must refuse.
@Suite struct BERTSequenceClassifierTests {
    let model: BERTSequenceClassifier
    let tokenizer: Tokenizer
    let expected: [String: Any]

    init() throws {
        let folder = ModelFixtures.folder("tiny-bert-classifier")
        model = try BERTSequenceClassifier.load(folder)
        tokenizer = try Tokenizer.load(folder.appendingPathComponent("tokenizer.json"))
        let data = try Data(contentsOf: ModelFixtures.root.appendingPathComponent("models/tiny-bert-classifier.expected.json"))
        expected = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func strings(_ key: String) throws -> [String] { try #require(expected[key] as? [String], "\(key)") }
    func matrix(_ key: String) throws -> [[Float]] {
        try #require(expected[key] as? [[Double]], "\(key)").map { $0.map(Float.init) }
    }
    func ints(_ key: String) throws -> [Int] { try #require(expected[key] as? [[Int]], "\(key)").flatMap { $0 } }
    func pairs() throws -> (first: [String], second: [String]) {
        let rows = try #require(expected["pairs"] as? [[String]])
        return (rows.map { $0[0] }, rows.map { $0[1] })
    }

    @Test func labelsAndTokenizationMatchTransformers() throws {
        #expect(model.labels == (try strings("labels")))
        #expect(model.head.architecture == "BertForSequenceClassification")
        #expect(model.head.problemType == .singleLabel && model.head.scoreFunction == .softmax)
        let tokens = try BERTModel.batch(try strings("texts"), tokenizer: tokenizer, padId: 0)
        #expect(tokens.ids == (try ints("ids")))
        #expect(tokens.tokenTypeIds == (try ints("token_type_ids")))
        #expect(tokens.attentionMask == (try ints("attention_mask")).map { $0 != 0 })
        let (first, second) = try pairs()
        let pairTokens = try BERTModel.batch(first, pairs: second, tokenizer: tokenizer, padId: 0)
        #expect(pairTokens.ids == (try ints("pair_ids")))
        #expect(pairTokens.tokenTypeIds == (try ints("pair_token_type_ids")))
    }

    /// One padded batch, and chunks of 3 (other padding widths): the same logits.
    @Test(arguments: [16, 3, 1]) func logitsMatchTransformers(batchSize: Int) throws {
        let logits = try model.logits(texts: try strings("texts"), tokenizer: tokenizer, batchSize: batchSize)
        let d = difference(logits.flatMap { $0 }, try matrix("logits").flatMap { $0 })
        report("bert classifier logits (batch \(batchSize))", d)
        #expect(logits.count == 10 && d.maxAbs <= 1e-5, "\(d)")
    }

    @Test func pairLogitsMatchTransformersAndUseTokenTypes() throws {
        let (first, second) = try pairs()
        let logits = try model.logits(texts: first, tokenizer: tokenizer, pairs: second).flatMap { $0 }
        let d = difference(logits, try matrix("pair_logits").flatMap { $0 })
        report("bert classifier pair logits", d)
        #expect(d.maxAbs <= 1e-5, "\(d)")
        // All-zero token types give transformers other logits; Temper must not match those.
        let zeroTypes = try matrix("pair_logits_zero_token_types").flatMap { $0 }
        #expect(difference(logits, zeroTypes).maxAbs > 1e-4)
    }

    @Test func probabilitiesAreTheSoftmaxOfTheLogits() throws {
        let probabilities = try model.probabilities(texts: try strings("texts"), tokenizer: tokenizer)
        let d = difference(probabilities.flatMap { $0 }, try matrix("probabilities").flatMap { $0 })
        #expect(d.maxAbs <= 1e-5, "\(d)")
        for row in probabilities { #expect(abs(row.reduce(0, +) - 1) < 1e-5) }
        // The fixture was trained to separate the stand-in topics.
        let harmful = try model.labelIndex(named: "harmful")
        #expect(probabilities[0][harmful] < 0.5 && probabilities[1][harmful] > 0.5)
    }

    /// Padding must be masked: the padded rows attended without a mask give other logits.
    @Test func attentionMaskIsRespected() throws {
        let tokens = try BERTModel.batch(try strings("texts"), tokenizer: tokenizer, padId: 0)
        let unmasked = try TokenBatch(ids: tokens.ids, batchSize: tokens.batchSize, tokenTypeIds: tokens.tokenTypeIds)
        let logits = try noGrad { try model.logits(unmasked) }.toArray()
        #expect(difference(logits, try matrix("logits").flatMap { $0 }).maxAbs > 1e-3)
    }

    @Test func labelIndexAcceptsNamesAndIndices() throws {
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

    /// A copy of the fixture whose weights lack `dropped` and gain `added` (zeros).
    func copy(dropping dropped: Set<String>, adding added: [TensorSpec] = []) throws -> URL {
        let folder = try ModelFixtures.copy(Self.name)
        let source = try Checkpoint.open(ModelFixtures.folder(Self.name))
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
        for architecture in ["DistilBertForSequenceClassification", "RobertaForSequenceClassification"] {
            let folder = try copy { $0["architectures"] = [architecture] }
            defer { remove(folder) }
            #expect(throws: ModelError.unsupportedConfig(path: folder.appendingPathComponent("config.json").path,
                                                         field: "architectures", value: architecture)) {
                try BERTSequenceClassifier.load(folder)
            }
        }
    }

    @Test func missingClassifierOrPoolerTensorIsNamed() throws {
        for (tensor, shape) in [("classifier.weight", [2, 32]), ("classifier.bias", [2]), ("bert.pooler.dense.weight", [32, 32])] {
            let folder = try copy(dropping: [tensor])
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
