import Foundation
import TemperHarden

/// Settings of the depth audit (METHODS.md §6). Which rows it reads is the audit data's
/// business (`AuditData`); the report names them.
public struct DepthConfig: Sendable, Equatable, Codable {
    public var probe: ProbeConfig
    /// Run the attack grid on base and defended for the attack-cost measure.
    public var measureAttackCost: Bool
    /// The grid of the attack-cost and freeze-ablation measures.
    public var grid: AttackGrid

    public init(probe: ProbeConfig = ProbeConfig(), measureAttackCost: Bool = true, grid: AttackGrid = ImmunizationConfig.defaultGrid) {
        self.probe = probe; self.measureAttackCost = measureAttackCost; self.grid = grid
    }

    public func validate() throws {
        guard !grid.learningRates.isEmpty, !grid.budgets.isEmpty, !grid.seeds.isEmpty, grid.batchSize > 0,
              grid.learningRates.allSatisfy({ $0 > 0 }), grid.budgets.allSatisfy({ $0 > 0 }), grid.threshold.isFinite else {
            throw AuditError.invalidConfig("the attack grid needs positive learning rates, budgets and batch, a seed, and a finite φ")
        }
    }
}

/// One model's values along the residual points 0...L.
public struct ResidualSeries: Sendable, Equatable, Codable {
    /// "base", "defended" or "attacked".
    public var model: String
    public var path: String
    public var values: [Double]
}

/// One model's probe accuracies along the residual points.
public struct ProbeSeries: Sendable, Equatable, Codable {
    public var model: String
    public var path: String
    public var points: [ProbePoint]
}

/// The names of the depth measures, one plot each.
public enum DepthMeasure: String, Sendable, Codable, CaseIterable {
    case weightChange = "relative weight change"
    case logitLens = "logit-lens harmful log-likelihood"
    case probe = "linear probe accuracy"
    case attackCost = "attack cost"
    case freezeAblation = "freeze ablation"
}

/// The depth audit: `temper audit depth`.
public struct DepthReport: Sendable, Equatable, Codable {
    public var format = "temper.audit.depth/2"
    public var base: String
    public var defended: String
    public var attacked: String?
    /// Every data file (or preset split) the audit read, by SHA-256.
    public var data: [DataRecord]
    /// The harmful sets whose responses the logit lens scores, and the attacked set.
    public var lensSets: [String]
    public var attackedSet: String
    /// The attack's primary metric (a judge's name or `loglik`) and every judge used.
    public var metric: String
    public var judges: [JudgeRecord]
    public var config: DepthConfig
    /// Decoder blocks L; residual points are 0...L (0 = embedding output, l + 1 = after block l).
    public var layers: Int
    /// The measures present, in page order (one plot each).
    public var measures: [DepthMeasure]
    /// Defended vs base, and attacked vs base when an attacked model was given.
    public var weightChange: [WeightChangeComparison]
    public var logitLens: [ResidualSeries]
    /// Which tokens feed the probe (see `ProbePooling`), and its train/test sizes.
    public var probePooling: ProbePooling
    public var probeTrainExamples: Int
    public var probeTestExamples: Int
    public var probe: [ProbeSeries]
    public var attackCost: [AttackCost]?
    public var freezeAblation: [FreezeAblationResult]?
    public var seconds: Double
}
