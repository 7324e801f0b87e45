import Foundation
import TemperModels
import TemperText
import TemperHarden

/// The trainability condition's measurement: fine-tune a fresh copy of a model on a new
/// harmless task (response-only loss, AdamW, cosine with 10% warm-up, `FineTuner` as
/// everywhere) and record the loss per step and, when test rows are given, exact-match
/// accuracy on them before and after.
public enum Trainability {
    public static func measure(_ subject: AuditModel, train: RowSet, test: RowSet?, config: TrainabilityConfig, text: AttackTextOptions,
                               label: String, log: (String) -> Void = { _ in }) throws -> TrainingCurve {
        let model = try subject.reload()
        let evaluator = ModelEvaluator(model: model, encoding: subject.encoding, maxNewTokens: text.maxNewTokens)
        let examples = try subject.encoding.examples(train)
        let before = try test.map { try evaluator.exactMatch($0.rows) }
        let settings = SupervisedSettings.cosine(steps: config.steps, batchSize: config.batchSize, learningRate: config.learningRate,
                                                 seed: config.seed)
        let every = max(1, config.steps / 5)
        let losses = try withoutActuallyEscaping(log) { log in
            try FineTuner.supervised(model: model, examples: examples, settings: settings, padId: subject.encoding.padId, progress: { p in
                if p.step % every == 0 || p.step == p.totalSteps { log(String(format: "trainability (%@): step %d/%d loss %.4f", label, p.step, p.totalSteps, p.loss)) }
            }).losses
        }
        guard let final = losses.last, let best = losses.min(), losses.allSatisfy(\.isFinite) else {
            throw AuditError.invalidConfig("trainability run of the \(label) produced no finite losses")
        }
        let after = try test.map { try evaluator.exactMatch($0.rows) }
        return TrainingCurve(losses: losses, bestLoss: best, finalLoss: final, accuracyBefore: before, accuracyAfter: after)
    }

    /// Compares two curves under `config`'s factor and slack.
    public static func condition(base: TrainingCurve, defended: TrainingCurve, config: TrainabilityConfig) -> TrainabilityCondition {
        let ratio: Double? = base.bestLoss > 0 ? defended.bestLoss / base.bestLoss : nil
        let passed = defended.bestLoss <= config.lossFactor * base.bestLoss + config.lossSlack
        return TrainabilityCondition(config: config, base: base, defended: defended,
                                     bestLossRatio: ratio, passed: passed)
    }
}
