import Foundation
import TemperFormats
import TemperTensor
import TemperText

/// transformers' sequence classifiers of the BERT family, dropout being the identity at
/// inference:
/// - `BertForSequenceClassification`: encoder `bert.*` with its tanh pooler (required),
///   then `classifier` (Linear hidden → num_labels) on the pooled [CLS] state;
/// - `RobertaForSequenceClassification`: encoder `roberta.*` (RoBERTa positions, no
///   pooler), then `classifier.out_proj(tanh(classifier.dense(h[:, 0])))`.
/// Loaded strictly: every tensor used, each shape checked against the config, `num_labels`
/// against the head's weight.
public final class BERTSequenceClassifier {
    public let encoder: BERTModel
    public let head: SequenceClassificationConfig
    let classifier: ClassificationHead

    enum ClassificationHead {
        case pooled(Linear)
        case firstToken(dense: Linear, outProjection: Linear)
    }

    /// Loads a `BertForSequenceClassification` folder (or a safetensors file beside its
    /// config.json). A folder that is not one — a decoder, a plain `BertModel`, no
    /// classification head — is `ModelError.notAClassifier`; another `*ForSequenceClassification`
    /// architecture is `unsupportedConfig(field: "architectures")`.
    public static func load(_ url: URL) throws -> BERTSequenceClassifier {
        let checkpoint = try Checkpoint.open(url)
        let configURL = ConfigFile.url(in: checkpoint.root)
        let data = try ConfigFile.data(at: configURL)
        let head = try SequenceClassificationConfig(data: data, path: configURL.path)
        return try BERTSequenceClassifier(config: try BERTConfig(data: data, path: configURL.path), head: head,
                                          checkpoint: checkpoint)
    }

    public init(config: BERTConfig, head: SequenceClassificationConfig, checkpoint: Checkpoint) throws {
        let loader = WeightLoader(checkpoint: checkpoint)
        let roberta = head.modelType == "roberta"
        let (h, n) = (config.hiddenSize, head.labels.count)
        let headTensor = roberta ? "classifier.out_proj.weight" : "classifier.weight"
        if head.architecture == nil, !loader.contains(headTensor) {
            throw ModelError.notAClassifier(path: checkpoint.url.path,
                                            reason: "no '\(headTensor)' tensor and no ForSequenceClassification architecture")
        }
        var classifier: ClassificationHead?
        // RobertaForSequenceClassification builds its encoder without a pooler; one in the
        // file is unused (transformers drops it on load).
        encoder = try BERTModel(config: config, loader: loader, prefix: roberta ? "roberta" : "bert",
                                pooler: roberta ? .skipped : .required,
                                ignoring: { roberta && $0.hasPrefix("roberta.pooler.") }) { root in
            let scope = root.scope("classifier")
            classifier = roberta
                ? .firstToken(dense: try .load(scope.scope("dense"), inputs: h, outputs: h, bias: true),
                              outProjection: try .load(scope.scope("out_proj"), inputs: h, outputs: n, bias: true))
                : .pooled(try .load(scope, inputs: h, outputs: n, bias: true))
        }
        guard let classifier else { throw ModelError.invalidInput(reason: "classifier head not loaded (architecture bug)") }
        self.classifier = classifier
        self.head = head
    }

    /// Label names in id order (config `id2label`).
    public var labels: [String] { head.labels }
    public var parameters: [ModelParameter] { encoder.parameters }
    public var source: ModelSource { encoder.source }

    /// The index of a label given by name or as an index; `unknownLabel` lists the labels.
    public func labelIndex(named label: String) throws -> Int { try head.labelIndex(named: label) }

    /// Logits [batch, labels] of a tokenized batch.
    public func logits(_ tokens: TokenBatch) throws -> Tensor {
        guard let last = try encoder.forward(tokens).finalHidden else {
            throw ModelError.invalidInput(reason: "the encoder returned no hidden states")
        }
        switch classifier {
        case let .pooled(linear): return try linear(try encoder.pooled(last))
        case let .firstToken(dense, outProjection):
            return try outProjection(try dense(last.slice(axis: 1, 0..<1).squeeze(1)).tanh())
        }
    }

    /// One row of logits per text (per pair `texts[i]`, `pairs[i]` when `pairs` is given),
    /// in chunks of `batchSize` texts, each chunk right-padded with its attention mask. A
    /// text longer than the model's positions is an error naming it, unless `truncate`:
    /// then it is cut as `truncation=True` does (`longest_first`, keeping the start).
    public func logits(texts: [String], tokenizer: Tokenizer, pairs: [String]? = nil, truncate: Bool = false,
                       batchSize: Int = 16) throws -> [[Float]] {
        try scores(texts, pairs: pairs, tokenizer: tokenizer, truncate: truncate, batchSize: batchSize) { $0 }
    }

    /// Scores per label: softmax over the labels, or per-label sigmoid for
    /// `multi_label_classification` and single-label models (transformers' pipeline rule).
    /// Regression models have no probabilities (`unsupportedConfig` on `problem_type`).
    public func probabilities(texts: [String], tokenizer: Tokenizer, pairs: [String]? = nil, truncate: Bool = false,
                              batchSize: Int = 16) throws -> [[Float]] {
        switch head.scoreFunction {
        case .softmax:
            return try scores(texts, pairs: pairs, tokenizer: tokenizer, truncate: truncate, batchSize: batchSize) { try $0.softmax(axis: -1) }
        case .sigmoid:
            return try scores(texts, pairs: pairs, tokenizer: tokenizer, truncate: truncate, batchSize: batchSize) { $0.sigmoid() }
        case .none:
            throw ModelError.unsupportedConfig(path: ConfigFile.url(in: source.folder).path, field: "problem_type",
                                               value: "regression (scores are logits, not probabilities)")
        }
    }

    /// The tokenizer.json beside the weights.
    public func loadTokenizer() throws -> Tokenizer {
        try Tokenizer.load(source.folder.appendingPathComponent("tokenizer.json"))
    }

    private func scores(_ texts: [String], pairs: [String]?, tokenizer: Tokenizer, truncate: Bool, batchSize: Int,
                        transform: (Tensor) throws -> Tensor) throws -> [[Float]] {
        guard batchSize > 0 else { throw ModelError.invalidInput(reason: "batch size must be positive, got \(batchSize)") }
        let positions = encoder.config.maxLength
        var encodings = try BERTModel.encode(texts, pairs: pairs, tokenizer: tokenizer)
        if truncate {
            for i in encodings.indices where encodings[i].ids.count > positions {
                encodings[i] = try EncodingTruncation.encode(texts[i], pair: pairs?[i], tokenizer: tokenizer, maxLength: positions)
            }
        }
        if let i = encodings.firstIndex(where: { $0.ids.count > positions }) {
            throw ModelError.invalidInput(reason: "text \(i) encodes to \(encodings[i].ids.count) tokens, more than the classifier's \(positions) positions")
        }
        let padId = encoder.config.padTokenId ?? tokenizer.padTokenId ?? 0
        let width = labels.count
        var rows: [[Float]] = []
        rows.reserveCapacity(texts.count)
        for start in stride(from: 0, to: encodings.count, by: batchSize) {
            let tokens = try BERTModel.batch(encodings[start..<min(start + batchSize, encodings.count)], padId: padId)
            let values = try noGrad { try transform(try logits(tokens)) }.toArray()
            for row in 0..<tokens.batchSize { rows.append(Array(values[(row * width)..<((row + 1) * width)])) }
        }
        return rows
    }
}
