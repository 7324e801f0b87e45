import Foundation
import TemperModels
import TemperText
import TemperWorld

/// The trainability condition's measurement: fine-tune a fresh copy of a model on the
/// world's new task (`new_task_train`, response-only loss, AdamW, cosine with 10% warm-up)
/// and record the loss per step and exact-match accuracy on `new_task_test`.
public enum Trainability {
    public static func measure(_ subject: AuditModel, world: AuditWorld, config: TrainabilityConfig,
                               label: String, log: (String) -> Void = { _ in }) throws -> TrainingCurve {
        let model = try subject.reload()
        let evaluator = WorldEvaluator(model: model, tokenizer: subject.tokenizer, language: world.language)
        let test = try world.rows("new_task_test")
        let encoder = try ExampleEncoder(tokenizer: subject.tokenizer, maxLength: 64)
        let examples = try world.rows("new_task_train").map { try encoder.encode(prompt: $0.prompt, response: $0.response) }
        guard let pad = subject.tokenizer.padTokenId else {
            throw AuditError.unreadableModel(role: label, path: subject.folder.path, reason: "the tokenizer has no pad token")
        }
        let before = try evaluator.exactMatch(test)
        let sft = SFTConfig(steps: config.steps, batchSize: config.batchSize, learningRate: config.learningRate,
                            warmupFraction: 0.1, seed: config.seed)
        let every = max(1, config.steps / 5)
        let losses = try SupervisedTraining.run(model, examples: examples, config: sft, padId: Int32(pad), progress: { step, total, loss in
            if step % every == 0 || step == total { log(String(format: "trainability (%@): step %d/%d loss %.4f", label, step, total, loss)) }
        }).map(Double.init)
        guard let final = losses.last, let best = losses.min(), losses.allSatisfy(\.isFinite) else {
            throw AuditError.invalidConfig("trainability run of the \(label) produced no finite losses")
        }
        let after = try evaluator.exactMatch(test)
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
