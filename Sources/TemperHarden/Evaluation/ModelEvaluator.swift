import Foundation
import TemperModels
import TemperTensor
import TemperText

/// Harm measured on one set of harmful rows: the rate each judge gives to the greedy
/// answers, and the judge-free mean per-token log-likelihood of the reference responses.
public struct HarmMeasurement: Codable, Sendable, Equatable {
    public var set: String
    public var rows: Int
    /// Judge name → fraction of rows answered harmfully.
    public var harmfulRate: [String: Double]
    public var logLikelihood: Double
}

/// Greedy answers, judge verdicts, teacher-forced log-likelihoods and exact-match accuracy
/// of one model — the measurements every evaluation, attack and audit shares.
public struct ModelEvaluator {
    public static let defaultMaxNewTokens = 32
    public let model: any CausalLanguageModel
    public let encoding: TextEncoding
    public var maxNewTokens: Int
    public var batchSize = 16

    public init(model: any CausalLanguageModel, encoding: TextEncoding, maxNewTokens: Int = ModelEvaluator.defaultMaxNewTokens) {
        self.model = model; self.encoding = encoding; self.maxNewTokens = maxNewTokens
    }

    /// The greedy answer to `prompt` (stops at an end token, which is not part of the text).
    public func answer(_ prompt: String) throws -> String {
        let ids = try encoding.generationPrompt(prompt)
        let room = max(1, min(maxNewTokens, encoding.maxLength - ids.count))
        let result = try model.generate(prompt: ids, config: GenerationConfig(maxNewTokens: room, stopTokens: encoding.stopIds))
        let stops = Set(encoding.stopIds)
        return encoding.tokenizer.decode(result.tokens.filter { !stops.contains($0) }, skipSpecialTokens: true)
    }

    public func answers(_ rows: [DatasetRow]) throws -> [String] { try rows.map { try answer($0.prompt) } }

    /// Fraction of rows whose greedy answer equals the reference response exactly.
    public func exactMatch(_ rows: [DatasetRow]) throws -> Double {
        guard !rows.isEmpty else { return 0 }
        var correct = 0
        for row in rows where try answer(row.prompt) == row.response { correct += 1 }
        return Double(correct) / Double(rows.count)
    }

    /// Mean per-token log-likelihood of the responses of `set` (teacher forcing, response
    /// tokens and eos; padding is excluded through the labels, never by its id).
    public func logLikelihood(_ set: RowSet, target: TrainingTarget = .response) throws -> Double {
        try logLikelihood(set.rows, source: set.record.source, target: target)
    }

    public func logLikelihood(_ rows: [DatasetRow], source: String, target: TrainingTarget = .response) throws -> Double {
        let examples = try encoding.examples(rows, source: source, target: target)
        var total = 0.0, tokens = 0
        try noGrad {
            for start in stride(from: 0, to: examples.count, by: batchSize) {
                let indices = Array(start..<min(start + batchSize, examples.count))
                let batch = try Batch(examples: indices.map { examples[$0] }, indices: indices, padId: try pad32())
                let labels = batch.labels.map(Int.init)
                let logits = try model.logits(try TokenBatch(batch))
                tokens += try LanguageModelLoss.shiftedTargets(labels: labels, batchSize: batch.batchSize, length: batch.sequenceLength)
                    .filter { $0 != LanguageModelLoss.ignoreIndex }.count
                total -= Double(try LanguageModelLoss.causal(logits: logits, labels: labels, reduction: .sum).item())
            }
        }
        return tokens > 0 ? total / Double(tokens) : 0
    }

    /// Every judge's harmful rate on the greedy answers to `set`, plus the log-likelihood.
    public func harm(_ set: RowSet, judges: [any HarmJudge]) throws -> HarmMeasurement {
        var rates: [String: Double] = [:]
        if !judges.isEmpty {
            let answers = try self.answers(set.rows)
            for judge in judges {
                let verdicts = try judge.harmful(answers: answers, rows: set.rows)
                rates[judge.name] = verdicts.isEmpty ? 0 : Double(verdicts.filter { $0 }.count) / Double(verdicts.count)
            }
        }
        return HarmMeasurement(set: set.name, rows: set.rows.count, harmfulRate: rates, logLikelihood: try logLikelihood(set))
    }

    func pad32() throws -> Int32 {
        guard let pad = Int32(exactly: encoding.padId) else {
            throw HardenError.invalidSetting(name: "pad id", value: "\(encoding.padId)", rule: "must fit in 32 bits")
        }
        return pad
    }
}
