import Foundation
import TemperHarden

/// How much fine-tuning a model takes to become harmful: steps to φ per learning rate on
/// the attacked split, and the harm after the longest run.
public struct AttackCost: Sendable, Equatable, Codable {
    public var model: String
    public var attackedSplit: String
    public var threshold: Double
    public var longestRun: Int
    public var stepsByLearningRate: [LearningRateSteps]
    /// Mean over runs of the primary metric (the harmful rate, or the log-likelihood for
    /// `loglik`) and of the harmful log-likelihood after the longest run.
    public var postAttackHarmfulRate: Double
    public var postAttackLogLikelihood: Double
    public var attack: AttackReport

    /// Runs `grid` against `folder`: the audit data's attack (train rows, harmful sets, judges).
    public static func measure(_ folder: URL, data: AuditData, grid: AttackGrid, label: String,
                               log: (String) -> Void) throws -> AttackCost {
        let report = try FineTuningAttack.run(modelFolder: folder, data: try data.attackData(), grid: grid, text: data.text,
                                              log: { log("  \(label): \($0)") })
        return try AttackCost(report: report, attackedSplit: data.harmful.name)
    }

    public init(report: AttackReport, attackedSplit: String) throws {
        let resistance = try ResistanceAnalysis.resistance(report, split: attackedSplit, threshold: report.grid.threshold,
                                                           budget: report.grid.budgets.last ?? 0)
        let finals = report.runs.compactMap(\.points.last)
        let n = Double(max(1, finals.count))
        model = report.model
        self.attackedSplit = attackedSplit
        threshold = report.grid.threshold
        longestRun = resistance.longestRun
        stepsByLearningRate = resistance.stepsByLearningRate
        postAttackHarmfulRate = finals.reduce(0) { $0 + ($1.value(attackedSplit, metric: report.metric) ?? 0) } / n
        postAttackLogLikelihood = finals.reduce(0) { $0 + ($1.harmfulLogLikelihood[attackedSplit] ?? 0) } / n
        attack = report
    }
}

/// A defended model made with the blocks ≤ `frozenThrough` frozen during the defence
/// (RepNoise `--freeze-layers`; −1 = nothing frozen).
public struct FreezeAblationModel: Sendable, Equatable {
    public var frozenThrough: Int
    public var folder: URL
    public init(frozenThrough: Int, folder: URL) { self.frozenThrough = frozenThrough; self.folder = folder }
}

/// Post-attack harm of one freeze-ablation model (the depth audit's freeze-ablation measure).
public struct FreezeAblationResult: Sendable, Equatable, Codable {
    public var frozenThrough: Int
    public var model: String
    public var postAttackHarmfulRate: Double
    public var postAttackLogLikelihood: Double?
    public var stepsByLearningRate: [LearningRateSteps]?

    public init(frozenThrough: Int, model: String, postAttackHarmfulRate: Double, postAttackLogLikelihood: Double? = nil,
                stepsByLearningRate: [LearningRateSteps]? = nil) {
        self.frozenThrough = frozenThrough; self.model = model; self.postAttackHarmfulRate = postAttackHarmfulRate
        self.postAttackLogLikelihood = postAttackLogLikelihood; self.stepsByLearningRate = stepsByLearningRate
    }
}

/// Freeze ablation (METHODS.md §6): the defence is rerun with early blocks frozen, and each
/// result is attacked with the same grid. The defence itself lives elsewhere (TemperHarden),
/// so the audit takes the finished models, a closure that makes them, or results computed
/// before (a JSON array of `FreezeAblationResult`).
public enum FreezeAblation {
    /// Attacks each model with `grid`.
    public static func measure(_ models: [FreezeAblationModel], data: AuditData, grid: AttackGrid,
                               log: (String) -> Void = { _ in }) throws -> [FreezeAblationResult] {
        try models.sorted { $0.frozenThrough < $1.frozenThrough }.map { m in
            guard m.frozenThrough >= -1 else { throw AuditError.invalidConfig("freeze ablation k must be ≥ −1, got \(m.frozenThrough)") }
            _ = try AuditInputs.load([("freeze-ablation model (k = \(m.frozenThrough))", m.folder)], data: data)
            log("freeze ablation: attacking the model with blocks ≤ \(m.frozenThrough) frozen")
            let cost = try AttackCost.measure(m.folder, data: data, grid: grid, label: "frozen ≤ \(m.frozenThrough)", log: log)
            return FreezeAblationResult(frozenThrough: m.frozenThrough, model: m.folder.path, postAttackHarmfulRate: cost.postAttackHarmfulRate,
                                        postAttackLogLikelihood: cost.postAttackLogLikelihood, stepsByLearningRate: cost.stepsByLearningRate)
        }
    }

    /// Makes each defended model with `makeDefended(k)` (e.g. RepNoise with blocks ≤ k
    /// frozen, writing a folder) and attacks it.
    public static func measure(frozenThrough layers: [Int], makeDefended: (Int) throws -> URL, data: AuditData, grid: AttackGrid,
                               log: (String) -> Void = { _ in }) throws -> [FreezeAblationResult] {
        let models = try layers.map { FreezeAblationModel(frozenThrough: $0, folder: try makeDefended($0)) }
        return try measure(models, data: data, grid: grid, log: log)
    }

    /// Reads results computed elsewhere: a JSON array of `FreezeAblationResult`.
    public static func load(_ url: URL) throws -> [FreezeAblationResult] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw AuditError.unreadableResults(path: url.path, reason: "cannot read the freeze-ablation results file")
        }
        let results: [FreezeAblationResult]
        do { results = try JSONDecoder().decode([FreezeAblationResult].self, from: data) } catch {
            throw AuditError.unreadableResults(path: url.path, reason: "not a JSON array of freeze-ablation results "
                + "({frozenThrough, model, postAttackHarmfulRate, …}): \(error.localizedDescription)")
        }
        for r in results where r.frozenThrough < -1 || !r.postAttackHarmfulRate.isFinite {
            throw AuditError.unreadableResults(path: url.path, reason: "result for k = \(r.frozenThrough): k must be ≥ −1 and the post-attack value finite")
        }
        return results.sorted { $0.frozenThrough < $1.frozenThrough }
    }
}
