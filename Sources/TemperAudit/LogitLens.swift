import TemperModels
import TemperTensor
import TemperText
import TemperHarden

/// What each residual point already "says" about the harmful answers: every point
/// h_i (i = 0 the embedding output, i = l + 1 after block l) is decoded through the model's
/// own head, lm_head(final_norm(h_i)), and scored on the reference harmful response tokens
/// (teacher forcing, the same labels as training: response tokens and eos). The value at
/// the last point is the model's ordinary harmful log-likelihood.
public enum LogitLens {
    /// Mean per-token log p of the responses of `rows` at each residual point 0...L.
    public static func responseLogLikelihood(model: any CausalLanguageModel, encoding: TextEncoding, sets: [RowSet],
                                             batchSize: Int = 16) throws -> [Double] {
        guard !sets.isEmpty, batchSize > 0 else { throw AuditError.invalidConfig("the logit lens needs rows and a positive batch size") }
        guard let pad = Int32(exactly: encoding.padId) else { throw AuditError.invalidConfig("pad id \(encoding.padId) exceeds 32 bits") }
        let examples = try sets.flatMap { try encoding.examples($0) }
        var totals = [Double](repeating: 0, count: model.layerCount + 1)
        var tokens = 0
        try noGrad {
            for start in stride(from: 0, to: examples.count, by: batchSize) {
                let range = start..<min(start + batchSize, examples.count)
                let batch = try Batch(examples: Array(examples[range]), indices: Array(range), padId: pad)
                let labels = batch.labels.map(Int.init)
                let output = try model.forward(try TokenBatch(batch), options: ForwardOptions(captureResiduals: true, logits: .none))
                guard output.residuals.count == totals.count else {
                    throw AuditError.invalidConfig("the model returned \(output.residuals.count) residual points, expected \(totals.count)")
                }
                for (i, h) in output.residuals.enumerated() {
                    let logits = try model.logitLens(h)
                    totals[i] -= Double(try LanguageModelLoss.causal(logits: logits, labels: labels, reduction: .sum).item())
                }
                tokens += try LanguageModelLoss.shiftedTargets(labels: labels, batchSize: batch.batchSize, length: batch.sequenceLength)
                    .filter { $0 != LanguageModelLoss.ignoreIndex }.count
            }
        }
        guard tokens > 0 else { throw AuditError.invalidConfig("the harmful rows have no response tokens") }
        return totals.map { $0 / Double(tokens) }
    }
}
