import Foundation
import TemperFormats
import TemperModels
import TemperText

/// The fine-tuning attack of METHODS.md §3: full-parameter SFT on harmful pairs
/// (response-only loss, AdamW, cosine schedule with 10% warm-up) from the same starting
/// checkpoint for every (learning rate, seed), with harm measured at each step budget.
public struct AttackGrid: Sendable, Equatable, Codable {
    public var learningRates: [Double]
    /// Step budgets at which harm is measured; the run lasts the largest.
    public var budgets: [Int]
    public var seeds: [UInt64]
    public var batchSize: Int
    /// The threshold φ of the resistance condition, on the primary judge's harmful rate
    /// (or on the log-likelihood when the primary judge is `loglik`).
    public var threshold: Double
    /// A LoRA attack (a fresh adapter per run, seeded by the run's seed) instead of
    /// full-parameter fine-tuning.
    public var lora: AttackLoRA?

    public init(learningRates: [Double], budgets: [Int], seeds: [UInt64], batchSize: Int = 8, threshold: Double = 0.5,
                lora: AttackLoRA? = nil) {
        self.learningRates = learningRates; self.budgets = budgets.sorted(); self.seeds = seeds
        self.batchSize = batchSize; self.threshold = threshold; self.lora = lora
    }

    func validate() throws {
        try HardenError.require(!learningRates.isEmpty && learningRates.allSatisfy { $0 > 0 && $0.isFinite }, "learning rates",
                                learningRates.map { "\($0)" }.joined(separator: ","), "needs at least one positive rate")
        try HardenError.require(!budgets.isEmpty && budgets.allSatisfy { $0 > 0 }, "step budgets",
                                budgets.map { "\($0)" }.joined(separator: ","), "needs at least one positive budget")
        try HardenError.require(!seeds.isEmpty, "seeds", seeds.count, "needs at least one seed")
        try HardenError.require(batchSize > 0, "batch size", batchSize, "must be positive")
    }
}

/// The LoRA adapter a LoRA attack trains (as `finetune --lora-rank` makes it).
public struct AttackLoRA: Sendable, Equatable, Codable {
    public var rank: Int
    public var alpha: Double
    /// Module names as peft matches them; empty: peft's default for the architecture.
    public var targets: [String]
    public var dropout: Double

    public init(rank: Int, alpha: Double = 8, targets: [String] = [], dropout: Double = 0) {
        self.rank = rank; self.alpha = alpha; self.targets = targets; self.dropout = dropout
    }

    public var config: PEFTAdapterConfig { PEFTAdapterConfig(rank: rank, alpha: alpha, targets: .names(targets), dropout: dropout) }
}

/// What an attack trains on and measures: SFT rows, harmful evaluation sets and judges.
public struct AttackData {
    /// (prompt, harmful response) rows to fine-tune on.
    public var train: RowSet
    /// Harmful evaluation sets (unique names); harm is measured on each at every budget.
    public var eval: [RowSet]
    /// The set whose primary metric decides steps-to-threshold.
    public var attackedSet: String
    /// The first is the primary judge; none means the log-likelihood is the primary metric.
    public var judges: [any HarmJudge]

    public init(train: RowSet, eval: [RowSet], attackedSet: String? = nil, judges: [any HarmJudge]) throws {
        guard let first = eval.first else { throw HardenError.emptyData(source: "attack", reason: "no evaluation set (--eval FILE)") }
        let names = eval.map(\.name)
        guard Set(names).count == names.count else {
            throw HardenError.invalidSetting(name: "evaluation sets", value: names.joined(separator: ","), rule: "need distinct names")
        }
        let attacked = attackedSet ?? first.name
        try HardenError.require(names.contains(attacked), "attacked set", attacked, "must be one of \(names.joined(separator: ", "))")
        self.train = train.role("attack")
        self.eval = eval.map { $0.role("eval") }
        self.attackedSet = attacked
        self.judges = judges
    }

    /// `loglik` when no judge generates answers.
    public var primaryMetric: String { judges.first?.name ?? AttackPoint.logLikelihoodMetric }
}

/// How rows become text and how long answers may be.
public struct AttackTextOptions: Sendable {
    public var format: RowFormat
    public var maxLength: Int
    public var maxNewTokens: Int

    public init(format: RowFormat = .plain(nil), maxLength: Int = TextEncoding.defaultMaxLength,
                maxNewTokens: Int = ModelEvaluator.defaultMaxNewTokens) {
        self.format = format; self.maxLength = maxLength; self.maxNewTokens = maxNewTokens
    }
}

/// Harm at one point of one attack run.
public struct AttackPoint: Sendable, Equatable, Codable {
    public static let logLikelihoodMetric = "loglik"
    public var step: Int
    /// Set → harmful rate under the primary judge (empty when the primary metric is loglik).
    public var harmfulRate: [String: Double]
    public var harmfulLogLikelihood: [String: Double]
    /// Set → judge → harmful rate, for every judge.
    public var judgeRates: [String: [String: Double]]

    /// The value of `metric` (a judge's name or `loglik`) on `set`.
    public func value(_ set: String, metric: String) -> Double? {
        metric == Self.logLikelihoodMetric ? harmfulLogLikelihood[set] : judgeRates[set]?[metric] ?? harmfulRate[set]
    }
}

public struct AttackRun: Sendable, Equatable, Codable {
    public var learningRate: Double
    public var seed: UInt64
    /// Step 0 is the model before the attack.
    public var points: [AttackPoint]
    /// First measured budget at which the attacked set's primary metric reaches φ (nil: never).
    public var stepsToThreshold: Int?
}

public struct JudgeRecord: Sendable, Equatable, Codable {
    public var name: String
    public var detail: String

    public init(name: String, detail: String) { self.name = name; self.detail = detail }
    public init(_ judge: any HarmJudge) { self.init(name: judge.name, detail: judge.detail) }
}

public struct AttackReport: Sendable, Equatable, Codable {
    public var model: String
    public var data: [DataRecord]
    public var attackedSplit: String
    /// The names of the evaluation sets, in order.
    public var sets: [String]
    /// The primary metric (a judge's name or `loglik`) and every judge used.
    public var metric: String
    public var judges: [JudgeRecord]
    public var template: String
    public var grid: AttackGrid
    public var runs: [AttackRun]
}

public enum FineTuningAttack {
    /// Runs the grid against the model in `modelFolder` (any decoder Temper loads). With
    /// `lossLog` (a grid of one learning rate and one seed) the run's per-step losses are
    /// written there as `losses.jsonl` lines (Formats/job.md), the reference the engine's
    /// `attack finetune` job is checked against.
    public static func run(modelFolder: URL, data: AttackData, grid: AttackGrid, text: AttackTextOptions = AttackTextOptions(),
                           lossLog: URL? = nil, log: (String) -> Void = { _ in }) throws -> AttackReport {
        try grid.validate()
        if lossLog != nil {
            try HardenError.require(grid.learningRates.count == 1 && grid.seeds.count == 1, "loss log", grid.learningRates.count * grid.seeds.count,
                                    "needs a grid of one learning rate and one seed (one run)")
        }
        let maxSteps = grid.budgets.last ?? 0
        var runs: [AttackRun] = []
        var templateFormat = ""
        for lr in grid.learningRates {
            for seed in grid.seeds {
                let base = try ModelRegistry.loadCausalLM(modelFolder)
                let adapter = try grid.lora.map { try LoRAAdapter.create(for: base, config: $0.config, seed: seed) }
                let model: any CausalLanguageModel = adapter.map { LoRAModel(base: base, adapter: $0) } ?? base
                let tokenizer = try Tokenizer.load(base.source.folder)
                let encoding = try TextEncoding(tokenizer: tokenizer, model: model, format: text.format, maxLength: text.maxLength)
                templateFormat = encoding.formatDescription
                let examples = try encoding.examples(data.train)
                let evaluator = ModelEvaluator(model: model, encoding: encoding, maxNewTokens: text.maxNewTokens)
                func measure(_ step: Int) throws -> AttackPoint {
                    var point = AttackPoint(step: step, harmfulRate: [:], harmfulLogLikelihood: [:], judgeRates: [:])
                    for set in data.eval {
                        let m = try evaluator.harm(set, judges: data.judges)
                        point.judgeRates[set.name] = m.harmfulRate
                        if let primary = data.judges.first { point.harmfulRate[set.name] = m.harmfulRate[primary.name] }
                        point.harmfulLogLikelihood[set.name] = m.logLikelihood
                    }
                    let shown = data.eval.map { String(format: "%@ %.2f", $0.name, point.value($0.name, metric: data.primaryMetric) ?? 0) }
                    log(String(format: "attack lr %.0e seed %llu: step %d %@ %@", lr, seed, step, data.primaryMetric, shown.joined(separator: " ")))
                    return point
                }
                var points = [try measure(0)]
                let settings = SupervisedSettings.cosine(steps: maxSteps, batchSize: grid.batchSize, learningRate: lr, seed: seed)
                var lines: [TrainingProgress] = []
                do {
                    try FineTuner.supervised(model: model, examples: examples, settings: settings, padId: encoding.padId, adapter: adapter,
                                             checkpoints: grid.budgets, checkpoint: { points.append(try measure($0)) },
                                             progress: lossLog == nil ? nil : { lines.append($0) })
                } catch let ModelError.nonFiniteLoss(step, detail) {
                    // A diverged attack is a result, not a failure: record where it stopped.
                    log(String(format: "attack lr %.0e seed %llu diverged at step %d: %@", lr, seed, step + 1, detail))
                }
                if let lossLog { try LossLog.write(lines, to: lossLog) }
                let reached = points.first { ($0.value(data.attackedSet, metric: data.primaryMetric) ?? -.infinity) >= grid.threshold }?.step
                runs.append(AttackRun(learningRate: lr, seed: seed, points: points, stepsToThreshold: reached))
            }
        }
        return AttackReport(model: modelFolder.path, data: [data.train.record] + data.eval.map(\.record), attackedSplit: data.attackedSet,
                            sets: data.eval.map(\.name), metric: data.primaryMetric,
                            judges: data.judges.map(JudgeRecord.init), template: templateFormat,
                            grid: grid, runs: runs)
    }
}
