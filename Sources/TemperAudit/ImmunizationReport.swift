import Foundation
import TemperHarden

/// Resistance of the defended model on one split, with the base model's numbers beside it.
public struct ResistanceCondition: Sendable, Equatable, Codable {
    public var base: SplitResistance
    public var defended: SplitResistance
    /// Whether the base model itself reaches φ somewhere in the grid; when it does not, the
    /// grid is too weak to tell a defence from none.
    public var baseBroken: Bool
    public var passed: Bool
}

/// Harmless-task utility before vs after the defence.
public struct StabilityCondition: Sendable, Equatable, Codable {
    public var baseAccuracy: Double
    public var defendedAccuracy: Double
    /// base − defended (positive: the defence cost accuracy).
    public var drop: Double
    public var maxDrop: Double
    /// Harmful rates of both models before any attack, by split (step 0 of the first run).
    public var baseHarmfulRate: [String: Double]
    public var defendedHarmfulRate: [String: Double]
    public var passed: Bool
}

/// Resistance to the same attack on held-out names (in-domain) and the other domain.
public struct GeneralizationCondition: Sendable, Equatable, Codable {
    public var inDomain: ResistanceCondition
    public var crossDomain: ResistanceCondition
    public var passed: Bool
}

/// One model's fine-tuning run on the new task.
public struct TrainingCurve: Sendable, Equatable, Codable {
    public var losses: [Double]
    public var bestLoss: Double
    public var finalLoss: Double
    /// Exact-match accuracy on `new_task_test` before and after fine-tuning.
    public var accuracyBefore: Double
    public var accuracyAfter: Double
}

public struct TrainabilityCondition: Sendable, Equatable, Codable {
    public var config: TrainabilityConfig
    public var base: TrainingCurve
    public var defended: TrainingCurve
    /// defended best loss / base best loss (nil when the base reached a loss of 0).
    public var bestLossRatio: Double?
    public var passed: Bool
}

/// One row of the conditions table.
public struct ConditionRow: Sendable, Equatable, Codable {
    public var condition: String
    public var passed: Bool
    /// The verdict in a word or two (strong / weak / none, kept / lost, …).
    public var verdict: String
    /// The numbers behind it, in one line.
    public var evidence: String
}

/// The immunization-conditions audit (METHODS.md §5): `temper audit immunization`.
public struct ImmunizationReport: Sendable, Equatable, Codable {
    public var format = "temper.audit.immunization/1"
    public var base: String
    public var defended: String
    public var world: String
    public var config: ImmunizationConfig
    public var conditions: [ConditionRow]
    public var resistance: ResistanceCondition
    public var stability: StabilityCondition
    public var generalization: GeneralizationCondition
    public var trainability: TrainabilityCondition
    public var baseAttack: AttackReport
    public var defendedAttack: AttackReport
    public var seconds: Double

    /// Whether every condition passed.
    public var allPassed: Bool { conditions.allSatisfy(\.passed) }
}

extension ImmunizationReport {
    /// The table rows, derived from the detailed results.
    static func rows(resistance r: ResistanceCondition, stability s: StabilityCondition,
                     generalization g: GeneralizationCondition, trainability t: TrainabilityCondition) -> [ConditionRow] {
        func steps(_ split: SplitResistance) -> String {
            split.stepsByLearningRate.map { String(format: "lr %.0e: %@", $0.learningRate, $0.stepsToThreshold.map { "\($0)" } ?? "never") }
                .joined(separator: ", ")
        }
        func resistanceEvidence(_ c: ResistanceCondition) -> String {
            var text = String(format: "%@, φ = %.2f, T = %d: steps to φ defended [%@] vs base [%@]", c.defended.split,
                              c.defended.threshold, c.defended.budget, steps(c.defended), steps(c.base))
            if !c.baseBroken { text += " (the base model is not broken by this grid either: too weak to judge)" }
            return text
        }
        let acc = String(format: "harmless accuracy base %.3f → defended %.3f (drop %.3f, allowed %.3f)",
                         s.baseAccuracy, s.defendedAccuracy, s.drop, s.maxDrop)
        let ratio = t.bestLossRatio.map { String(format: "%.2f", $0) } ?? "n/a"
        let train = String(format: "new task, %d steps: best loss base %.4f vs defended %.4f (ratio %@, allowed ×%.2f + %.2f); final %.4f vs %.4f; test accuracy %.2f vs %.2f",
                           t.config.steps, t.base.bestLoss, t.defended.bestLoss, ratio, t.config.lossFactor,
                           t.config.lossSlack, t.base.finalLoss, t.defended.finalLoss, t.base.accuracyAfter, t.defended.accuracyAfter)
        return [
            ConditionRow(condition: "resistance", passed: r.passed, verdict: r.defended.verdict.rawValue, evidence: resistanceEvidence(r)),
            ConditionRow(condition: "stability", passed: s.passed, verdict: s.passed ? "kept" : "lost", evidence: acc),
            ConditionRow(condition: "generalization (in-domain)", passed: g.inDomain.passed,
                         verdict: g.inDomain.defended.verdict.rawValue, evidence: resistanceEvidence(g.inDomain)),
            ConditionRow(condition: "generalization (cross-domain)", passed: g.crossDomain.passed,
                         verdict: g.crossDomain.defended.verdict.rawValue, evidence: resistanceEvidence(g.crossDomain)),
            ConditionRow(condition: "trainability", passed: t.passed, verdict: t.passed ? "kept" : "lost", evidence: train),
        ]
    }
}
