import Foundation
import TemperHarden

/// What a relearning run fine-tunes on.
public enum RelearnKind: String, Sendable, Codable, CaseIterable {
    /// A part of the forget set (the held-out rest is measured).
    case forgetPart = "forget-part"
    /// A few benign rows unrelated to the forget set (Łucki et al. 2024).
    case unrelated
}

/// One model's numbers on the audit's sets: exact-match accuracy and mean per-token answer
/// log-likelihood on the held-out forget rows and the retain rows, utility by exact match.
public struct RelearnMetrics: Sendable, Equatable, Codable {
    public var forgetAccuracy: Double
    public var forgetLogLikelihood: Double
    public var retainAccuracy: Double
    public var retainLogLikelihood: Double
    public var utility: Double?

    public init(forgetAccuracy: Double, forgetLogLikelihood: Double, retainAccuracy: Double, retainLogLikelihood: Double, utility: Double?) {
        self.forgetAccuracy = forgetAccuracy; self.forgetLogLikelihood = forgetLogLikelihood
        self.retainAccuracy = retainAccuracy; self.retainLogLikelihood = retainLogLikelihood; self.utility = utility
    }

    /// The metrics an attack point measured (sets named as `RelearnData` names them).
    public init(point: AttackPoint, hasUtility: Bool) throws {
        try self.init(hasUtility: hasUtility, context: "the relearning attack's step \(point.step)") { set, ll in
            ll ? point.harmfulLogLikelihood[set] : point.value(set, metric: ExactMatchJudge.metricName)
        }
    }

    /// From the evaluator's measurements of each set (exact match as the judge).
    public init(measurements: [HarmMeasurement], hasUtility: Bool) throws {
        try self.init(hasUtility: hasUtility, context: "the measurements") { set, ll in
            measurements.first { $0.set == set }.flatMap { ll ? $0.logLikelihood : $0.harmfulRate[ExactMatchJudge.metricName] }
        }
    }

    /// `value(set, logLikelihood?)` is the exact-match accuracy or the log-likelihood on a set.
    init(hasUtility: Bool, context: String, value: (String, Bool) -> Double?) throws {
        func get(_ set: String, _ ll: Bool) throws -> Double {
            guard let v = value(set, ll) else {
                throw AuditError.invalidConfig("\(context) has no \(ll ? "log-likelihood" : ExactMatchJudge.metricName) on '\(set)'")
            }
            return v
        }
        self.init(forgetAccuracy: try get(RelearnData.heldOutName, false), forgetLogLikelihood: try get(RelearnData.heldOutName, true),
                  retainAccuracy: try get(RelearnData.retainName, false), retainLogLikelihood: try get(RelearnData.retainName, true),
                  utility: hasUtility ? try get(RelearnData.utilityName, false) : nil)
    }
}

/// One (kind, learning rate, step budget) over the seeds that reached it.
public struct RelearnPoint: Sendable, Equatable, Codable {
    public var step: Int
    public var forgetAccuracy: MeanSD
    public var forgetLogLikelihood: MeanSD
    /// Recovery of each forget metric as a fraction of the unlearned–base gap (nil: no gap).
    public var forgetAccuracyRecovery: MeanSD?
    public var forgetLogLikelihoodRecovery: MeanSD?
    public var retainAccuracy: MeanSD
    public var utility: MeanSD?
}

public struct RelearnCurve: Sendable, Equatable, Codable {
    public var kind: RelearnKind
    public var learningRate: Double
    public var points: [RelearnPoint]
}

/// The strongest relearning (largest mean recovery over learning rates) at one budget.
public struct RelearnWorstCase: Sendable, Equatable, Codable {
    public var kind: RelearnKind
    public var step: Int
    public var accuracyRecovery: Double?
    public var accuracyLearningRate: Double?
    public var logLikelihoodRecovery: Double?
    public var logLikelihoodLearningRate: Double?
}

/// `temper audit relearn`.
public struct RelearnReport: Sendable, Equatable, Codable {
    public var format = "temper.audit.relearn/1"
    public var base: String
    public var unlearned: String
    /// Every data file the audit read, by SHA-256 (the forget file once per part).
    public var data: [DataRecord]
    public var relearnRows: Int
    public var heldOutRows: Int
    public var unrelatedRows: Int?
    /// Forget prompts that are also retain prompts (should be empty).
    public var forgetRetainOverlap: [String]
    public var config: RelearnConfig
    public var template: String
    public var baseMetrics: RelearnMetrics
    public var unlearnedMetrics: RelearnMetrics
    public var curves: [RelearnCurve]
    public var worstCase: [RelearnWorstCase]
    /// The raw attack reports (every run, every point), one per kind.
    public var attacks: [RelearnAttack]
    public var seconds: Double
}

public struct RelearnAttack: Sendable, Equatable, Codable {
    public var kind: RelearnKind
    public var report: AttackReport
}

/// Turns attack runs into recovery curves (a pure function of the measured numbers).
public enum RelearnSummary {
    public static func curves(_ report: AttackReport, kind: RelearnKind, base: RelearnMetrics, unlearned: RelearnMetrics) throws -> [RelearnCurve] {
        let hasUtility = base.utility != nil
        return try report.grid.learningRates.map { lr in
            let runs = report.runs.filter { $0.learningRate == lr }
            let points = try report.grid.budgets.compactMap { step -> RelearnPoint? in
                // A diverged run stops early; its missing budgets are left out of the mean (n says so).
                let measured = try runs.compactMap { run in try run.points.first { $0.step == step }.map { try RelearnMetrics(point: $0, hasUtility: hasUtility) } }
                guard let acc = MeanSD(measured.map(\.forgetAccuracy)), let ll = MeanSD(measured.map(\.forgetLogLikelihood)),
                      let retain = MeanSD(measured.map(\.retainAccuracy)) else { return nil }
                func recovery(_ key: KeyPath<RelearnMetrics, Double>) -> MeanSD? {
                    let values = measured.compactMap { Recovery.fraction(after: $0[keyPath: key], unlearned: unlearned[keyPath: key], base: base[keyPath: key]) }
                    return values.count == measured.count ? MeanSD(values) : nil
                }
                return RelearnPoint(step: step, forgetAccuracy: acc, forgetLogLikelihood: ll, forgetAccuracyRecovery: recovery(\.forgetAccuracy),
                                    forgetLogLikelihoodRecovery: recovery(\.forgetLogLikelihood), retainAccuracy: retain,
                                    utility: MeanSD(measured.compactMap(\.utility)))
            }
            return RelearnCurve(kind: kind, learningRate: lr, points: points)
        }
    }

    /// Per kind and budget, the learning rate with the largest mean recovery of each metric.
    public static func worstCase(_ curves: [RelearnCurve]) -> [RelearnWorstCase] {
        var out: [RelearnWorstCase] = []
        for kind in RelearnKind.allCases {
            let ofKind = curves.filter { $0.kind == kind }
            let steps = Array(Set(ofKind.flatMap { $0.points.map(\.step) })).sorted()
            for step in steps {
                let at = ofKind.compactMap { c in c.points.first { $0.step == step }.map { (c.learningRate, $0) } }
                let acc = at.compactMap { lr, p in p.forgetAccuracyRecovery.map { (lr, $0.mean) } }.max { $0.1 < $1.1 }
                let ll = at.compactMap { lr, p in p.forgetLogLikelihoodRecovery.map { (lr, $0.mean) } }.max { $0.1 < $1.1 }
                out.append(RelearnWorstCase(kind: kind, step: step, accuracyRecovery: acc?.1, accuracyLearningRate: acc?.0,
                                            logLikelihoodRecovery: ll?.1, logLikelihoodLearningRate: ll?.0))
            }
        }
        return out
    }
}
