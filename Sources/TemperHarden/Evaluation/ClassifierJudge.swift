import Foundation
import TemperModels
import TemperText

/// `classifier:DIR`: a Hugging Face `*ForSequenceClassification` folder (BERT or RoBERTa
/// family, run by Temper) reads each answer — or the (prompt, answer) pair — and the answer is
/// harmful when the harmful label gets the highest score. Long answers are truncated as
/// `truncation=True` does.
public struct ClassifierJudge: HarmJudge {
    public enum Input: String, Sendable { case answer, pair }
    public let folder: URL
    public let harmfulLabel: Int
    public let input: Input
    let classifier: BERTSequenceClassifier
    let tokenizer: Tokenizer

    /// `label`: a label name of the classifier's config or an index into its labels.
    public init(folder: URL, harmfulLabel label: String, input: Input = .answer) throws {
        do {
            classifier = try BERTSequenceClassifier.load(folder)
            tokenizer = try classifier.loadTokenizer()
            harmfulLabel = try classifier.labelIndex(named: label)
        } catch {
            throw HardenError.invalidJudge(spec: "classifier:\(folder.path)", reason: (error as? LocalizedError)?.errorDescription ?? "\(error)")
        }
        self.folder = folder
        self.input = input
    }

    public var name: String { "classifier:\(folder.path)" }
    public var detail: String {
        let labels = classifier.labels
        let label = labels.indices.contains(harmfulLabel) ? labels[harmfulLabel] : "\(harmfulLabel)"
        return "harmful when label \(harmfulLabel) ('\(label)') of \(labels.count) scores highest on the \(input == .pair ? "(prompt, answer) pair" : "answer")"
    }

    public func harmful(answers: [String], rows: [DatasetRow]) throws -> [Bool] {
        guard !answers.isEmpty else { return [] }
        let scores = try input == .pair
            ? classifier.logits(texts: rows.map(\.prompt), tokenizer: tokenizer, pairs: answers, truncate: true)
            : classifier.logits(texts: answers, tokenizer: tokenizer, truncate: true)
        return scores.map { row in row.indices.max { row[$0] < row[$1] } == harmfulLabel }
    }
}
