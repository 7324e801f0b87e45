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

/// Harmless-task utility before vs after the defence, by the configured metric.
public struct StabilityCondition: Sendable, Equatable, Codable {
    public var metric: StabilityMetric
    /// Exact-match accuracy on the harmless rows.
    public var baseAccuracy: Double
    public var defendedAccuracy: Double
    /// Mean per-token log-likelihood of the harmless responses.
    public var baseLogLikelihood: Double
    public var defendedLogLikelihood: Double
    /// base − defended in the chosen metric (positive: the defence cost utility).
    public var drop: Double
    public var maxDrop: Double
    /// Harmful rates of both models before any attack, by split (step 0 of the first run).
    public var baseHarmfulRate: [String: Double]
    public var defendedHarmfulRate: [String: Double]
    public var passed: Bool
}

/// Resistance to the same attack on held-out prompts (in-domain) and another harmful
/// domain; each is nil when its data was not given.
public struct GeneralizationCondition: Sendable, Equatable, Codable {
    public var inDomain: ResistanceCondition?
    public var crossDomain: ResistanceCondition?
    public var passed: Bool
}

/// One model's fine-tuning run on the new task.
public struct TrainingCurve: Sendable, Equatable, Codable {
    public var losses: [Double]
    public var bestLoss: Double
    public var finalLoss: Double
    /// Exact-match accuracy on the new task's test rows before and after fine-tuning (nil
    /// without test rows).
    public var accuracyBefore: Double?
    public var accuracyAfter: Double?
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
    /// False when the audit had no data for it (then `passed` is false too).
    public var measured: Bool
    public var passed: Bool
    /// The verdict in a word or two (strong / weak / none, kept / lost, …).
    public var verdict: String
    /// The numbers behind it, in one line.
    public var evidence: String
}

/// The immunization-conditions audit (METHODS.md §5): `temper audit immunization`.
public struct ImmunizationReport: Sendable, Equatable, Codable {
    public var format = "temper.audit.immunization/2"
    public var base: String
    public var defended: String
    /// Every data file (or preset split) the audit read, by SHA-256.
    public var data: [DataRecord]
    /// The attack's primary metric and every judge used.
    public var metric: String
    public var judges: [JudgeRecord]
    public var config: ImmunizationConfig
    public var conditions: [ConditionRow]
    public var resistance: ResistanceCondition
    public var stability: StabilityCondition
    public var generalization: GeneralizationCondition
    /// nil without a new task (`--new-task`).
    public var trainability: TrainabilityCondition?
    public var baseAttack: AttackReport
    public var defendedAttack: AttackReport
    public var seconds: Double

    /// Whether every condition was measured and passed.
    public var allPassed: Bool { conditions.allSatisfy { $0.measured && $0.passed } }
}

extension ImmunizationReport {
    /// The table rows, derived from the detailed results.
    static func rows(resistance r: ResistanceCondition, stability s: StabilityCondition,
                     generalization g: GeneralizationCondition, trainability t: TrainabilityCondition?) -> [ConditionRow] {
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
        func resistanceRow(_ name: String, _ c: ResistanceCondition?, missing: String) -> ConditionRow {
            guard let c else { return ConditionRow(condition: name, measured: false, passed: false, verdict: "not measured", evidence: missing) }
            return ConditionRow(condition: name, measured: true, passed: c.passed, verdict: c.defended.verdict.rawValue, evidence: resistanceEvidence(c))
        }
        let utility: String
        switch s.metric {
        case .exactMatch:
            utility = String(format: "harmless exact-match accuracy base %.3f → defended %.3f (drop %.3f, allowed %.3f); log-likelihood %.3f → %.3f",
                             s.baseAccuracy, s.defendedAccuracy, s.drop, s.maxDrop, s.baseLogLikelihood, s.defendedLogLikelihood)
        case .logLikelihood:
            utility = String(format: "harmless log-likelihood base %.3f → defended %.3f (drop %.3f nats/token, allowed %.3f); exact match %.3f → %.3f",
                             s.baseLogLikelihood, s.defendedLogLikelihood, s.drop, s.maxDrop, s.baseAccuracy, s.defendedAccuracy)
        }
        var rows = [
            ConditionRow(condition: "resistance", measured: true, passed: r.passed, verdict: r.defended.verdict.rawValue, evidence: resistanceEvidence(r)),
            ConditionRow(condition: "stability", measured: true, passed: s.passed, verdict: s.passed ? "kept" : "lost", evidence: utility),
            resistanceRow("generalization (in-domain)", g.inDomain, missing: "no held-out harmful rows (--heldout FILE)"),
            resistanceRow("generalization (cross-domain)", g.crossDomain, missing: "no other harmful domain (--cross-domain FILE)"),
        ]
        if let t {
            let ratio = t.bestLossRatio.map { String(format: "%.2f", $0) } ?? "n/a"
            var train = String(format: "new task, %d steps: best loss base %.4f vs defended %.4f (ratio %@, allowed ×%.2f + %.2f); final %.4f vs %.4f",
                               t.config.steps, t.base.bestLoss, t.defended.bestLoss, ratio, t.config.lossFactor,
                               t.config.lossSlack, t.base.finalLoss, t.defended.finalLoss)
            if let a = t.base.accuracyAfter, let b = t.defended.accuracyAfter { train += String(format: "; test accuracy %.2f vs %.2f", a, b) }
            rows.append(ConditionRow(condition: "trainability", measured: true, passed: t.passed, verdict: t.passed ? "kept" : "lost", evidence: train))
        } else {
            rows.append(ConditionRow(condition: "trainability", measured: false, passed: false, verdict: "not measured",
                                     evidence: "no new harmless task (--new-task FILE)"))
        }
        return rows
    }
}
