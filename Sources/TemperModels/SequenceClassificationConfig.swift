import Foundation

/// The classification fields of a `*ForSequenceClassification` config.json, read as
/// transformers reads them (`PretrainedConfig`: labels from `id2label`, else `num_labels`
/// names `LABEL_i`, else two labels), but strictly: counts that disagree are errors.
/// Also decides whether the folder is a classifier Temper runs at all.
public struct SequenceClassificationConfig: Sendable, Equatable {
    public enum ProblemType: String, Sendable {
        case singleLabel = "single_label_classification"
        case multiLabel = "multi_label_classification"
        case regression
    }

    /// What turns logits into scores, picked as transformers' text-classification pipeline
    /// does: none for regression, sigmoid for multi-label or a single label, else softmax.
    public enum ScoreFunction: String, Sendable {
        case softmax, sigmoid, none
    }

    /// The architectures Temper implements, by `model_type`.
    public static let architectures = ["bert": "BertForSequenceClassification", "roberta": "RobertaForSequenceClassification"]
    public static var supportedArchitectures: [String] { architectures.values.sorted() }

    /// `bert` or `roberta`.
    public let modelType: String
    /// The supported entry of `architectures`; nil when the config lists none.
    public let architecture: String?
    /// Label names in id order.
    public let labels: [String]
    public let problemType: ProblemType?

    public var scoreFunction: ScoreFunction {
        if problemType == .regression { return .none }
        return problemType == .multiLabel || labels.count == 1 ? .sigmoid : .softmax
    }

    private struct Raw: Decodable {
        var model_type: String
        var architectures: [String]?
        var num_labels: Int?
        var id2label: [String: String]?
        var label2id: [String: Int]?
        var problem_type: String?
    }

    public init(data: Data, path: String) throws {
        let raw = try ConfigFile.decode(Raw.self, from: data, path: path)
        modelType = raw.model_type
        architecture = try Self.architecture(raw, path: path)
        labels = try Self.labels(raw, path: path)
        if let name = raw.problem_type {
            guard let kind = ProblemType(rawValue: name) else {
                throw ModelError.unsupportedConfig(path: path, field: "problem_type", value: name)
            }
            problemType = kind
        } else {
            problemType = nil
        }
    }

    /// A supported classifier architecture, or a typed error saying why the folder is none.
    private static func architecture(_ raw: Raw, path: String) throws -> String? {
        let listed = raw.architectures ?? []
        if let other = listed.first(where: { $0.hasSuffix("ForSequenceClassification") && !supportedArchitectures.contains($0) }) {
            throw ModelError.unsupportedConfig(path: path, field: "architectures", value: other)
        }
        let decoder = LlamaConfig.modelTypes.contains(raw.model_type) || raw.model_type == "gpt2"
        guard let expected = architectures[raw.model_type] else {
            throw ModelError.notAClassifier(path: path, reason: decoder
                ? "model_type '\(raw.model_type)' is a causal language model"
                : "model_type '\(raw.model_type)' is not a BERT or RoBERTa encoder with a classification head")
        }
        if listed.isEmpty { return nil }
        if let other = listed.first(where: { supportedArchitectures.contains($0) && $0 != expected }) {
            throw ModelError.invalidConfigField(path: path, field: "architectures",
                                                reason: "\(other) does not fit model_type '\(raw.model_type)'")
        }
        guard listed.contains(expected) else {
            throw ModelError.notAClassifier(path: path, reason: "architectures \(listed) has no sequence-classification head")
        }
        return expected
    }

    private static func labels(_ raw: Raw, path: String) throws -> [String] {
        if let count = raw.num_labels, count <= 0 {
            throw ModelError.invalidConfigField(path: path, field: "num_labels", reason: "must be positive, got \(count)")
        }
        guard let map = raw.id2label else { return (0..<(raw.num_labels ?? 2)).map { "LABEL_\($0)" } }
        var byId: [Int: String] = [:]
        for (key, name) in map {
            guard let id = Int(key) else {
                throw ModelError.invalidConfigField(path: path, field: "id2label", reason: "key '\(key)' is not an integer")
            }
            byId[id] = name
        }
        guard !byId.isEmpty, byId.keys.sorted() == Array(0..<byId.count) else {
            throw ModelError.invalidConfigField(path: path, field: "id2label",
                                                reason: "ids must be 0..<\(byId.count), got \(byId.keys.sorted())")
        }
        if let count = raw.num_labels, count != byId.count {
            throw ModelError.invalidConfigField(path: path, field: "num_labels",
                                                reason: "\(count) disagrees with id2label's \(byId.count) labels")
        }
        let labels = (0..<byId.count).map { byId[$0] ?? "" }
        // label2id may name other labels (transformers ignores it); it must not contradict id2label.
        for (name, id) in raw.label2id ?? [:] {
            let owners = labels.indices.filter { labels[$0] == name }
            if !owners.isEmpty, !owners.contains(id) {
                throw ModelError.invalidConfigField(path: path, field: "label2id",
                                                    reason: "'\(name)' → \(id), but id2label gives it id \(owners[0])")
            }
        }
        return labels
    }

    /// The index of `label`: a label name (exact, else the one case-insensitive match), or
    /// an index written as a number.
    public func labelIndex(named label: String) throws -> Int {
        if let exact = labels.firstIndex(of: label) { return exact }
        let folded = labels.indices.filter { labels[$0].lowercased() == label.lowercased() }
        if folded.count == 1 { return folded[0] }
        if let index = Int(label), labels.indices.contains(index) { return index }
        throw ModelError.unknownLabel(label: label, labels: labels)
    }
}
