import Foundation
import TemperHarden

/// Settings of the depth audit (METHODS.md §6). Which rows it reads is the audit data's
/// business (`AuditData`); the report names them.
public struct DepthConfig: Sendable, Equatable, Codable {
    /// The prompt-type probe (harmful vs harmless prompts).
    public var probe: ProbeConfig
    /// The knowledge probe (the answer's content at answer positions).
    public var knowledgeProbe: KnowledgeProbeConfig
    /// Run the attack grid on base and defended for the attack-cost measure.
    public var measureAttackCost: Bool
    /// The grid of the attack-cost and freeze-ablation measures.
    public var grid: AttackGrid

    public init(probe: ProbeConfig = ProbeConfig(), knowledgeProbe: KnowledgeProbeConfig = KnowledgeProbeConfig(), measureAttackCost: Bool = true,
                grid: AttackGrid = ImmunizationConfig.defaultGrid) {
        self.probe = probe; self.knowledgeProbe = knowledgeProbe; self.measureAttackCost = measureAttackCost; self.grid = grid
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
    /// "base", "defended", "attacked" or "unlearned".
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
    /// Harmful vs harmless prompts: separates prompt vocabulary, so it is high everywhere.
    case probe = "prompt-type probe accuracy"
    /// The next answer token at answer positions of held-out rows: what the model still knows.
    case knowledgeProbe = "knowledge probe accuracy"
    case attackCost = "attack cost"
    case freezeAblation = "freeze ablation"
    case quantization = "quantization round trip"
}

/// The depth audit: `temper audit depth`.
public struct DepthReport: Sendable, Equatable, Codable {
    public var format = "temper.audit.depth/3"
    public var base: String
    public var defended: String
    public var attacked: String?
    public var unlearned: String?
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
    /// Defended vs base, and attacked / unlearned vs base when those models were given.
    public var weightChange: [WeightChangeComparison]
    public var logitLens: [ResidualSeries]
    /// Which tokens feed the probe (see `ProbePooling`), and its train/test sizes.
    public var probePooling: ProbePooling
    public var probeTrainExamples: Int
    public var probeTestExamples: Int
    public var probe: [ProbeSeries]
    /// One knowledge probe per probed set: the harmful sets pooled, then the forget set when given.
    public var knowledgeProbe: [KnowledgeProbeReport]
    public var attackCost: [AttackCost]?
    public var freezeAblation: [FreezeAblationResult]?
    public var quantization: QuantizationReport?
    public var seconds: Double
}
