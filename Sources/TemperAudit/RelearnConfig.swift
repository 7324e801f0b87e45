import Foundation
import TemperHarden
import TemperText

/// Settings of the relearning audit (METHODS.md §12): the fine-tuning grid (the same
/// `FineTuningAttack` as every attack) and how the forget set is split.
public struct RelearnConfig: Sendable, Equatable, Codable {
    public var learningRates: [Double]
    /// Step budgets at which recovery is measured; each run lasts the largest.
    public var budgets: [Int]
    public var seeds: [UInt64]
    public var batchSize: Int
    /// Fraction of the forget rows the relearning attack trains on; the rest is held out.
    public var relearnFraction: Double
    /// Seed of the forget set's shuffle before the split (fixed, so every run and every
    /// model sees the same split).
    public var splitSeed: UInt64
    /// How many unrelated benign rows the unrelated fine-tuning uses (the first rows given).
    public var unrelatedRows: Int
    /// A LoRA relearning attack instead of full-parameter fine-tuning.
    public var lora: AttackLoRA?

    public init(learningRates: [Double] = [1e-4, 3e-4], budgets: [Int] = [5, 10, 25], seeds: [UInt64] = [0, 1, 2],
                batchSize: Int = 4, relearnFraction: Double = 0.5, splitSeed: UInt64 = 0, unrelatedRows: Int = 8, lora: AttackLoRA? = nil) {
        self.learningRates = learningRates; self.budgets = budgets.sorted(); self.seeds = seeds; self.batchSize = batchSize
        self.relearnFraction = relearnFraction; self.splitSeed = splitSeed; self.unrelatedRows = unrelatedRows; self.lora = lora
    }

    public func validate() throws {
        guard !learningRates.isEmpty, learningRates.allSatisfy({ $0 > 0 && $0.isFinite }), !budgets.isEmpty, budgets.allSatisfy({ $0 > 0 }),
              !seeds.isEmpty, batchSize > 0 else {
            throw AuditError.invalidConfig("the relearning grid needs positive learning rates, step budgets and batch, and a seed")
        }
        guard relearnFraction > 0, relearnFraction < 1 else {
            throw AuditError.invalidConfig("--relearn-fraction must lie strictly between 0 and 1, got \(relearnFraction)")
        }
        guard unrelatedRows > 0 else { throw AuditError.invalidConfig("the unrelated fine-tuning needs at least one row, got \(unrelatedRows)") }
    }

    /// The attack grid of one relearning kind (φ is unused: recovery is reported, not a threshold).
    var grid: AttackGrid {
        AttackGrid(learningRates: learningRates, budgets: budgets, seeds: seeds, batchSize: batchSize, threshold: 1, lora: lora)
    }
}

/// What the relearning audit reads: the forget set (split into a relearning part and a
/// held-out rest), retain rows, optional harmless utility rows and unrelated benign rows.
public struct RelearnData {
    public var forget: RowSet
    public var retain: RowSet
    /// Harmless rows scored by exact match (utility); nil: not measured.
    public var utility: RowSet?
    /// Benign rows unrelated to the forget set (the unrelated fine-tuning); nil: not run.
    public var unrelated: RowSet?
    public var text: AttackTextOptions
    /// Extra check of each model against the data source (the world refuses foreign vocabularies).
    public var checkModel: ((URL) throws -> Void)?

    public init(forget: RowSet, retain: RowSet, utility: RowSet? = nil, unrelated: RowSet? = nil, text: AttackTextOptions = AttackTextOptions(),
                checkModel: ((URL) throws -> Void)? = nil) {
        self.forget = forget; self.retain = retain; self.utility = utility; self.unrelated = unrelated
        self.text = text; self.checkModel = checkModel
    }

    /// Names the reports use for the evaluation sets (the attack needs distinct names).
    public static let heldOutName = "forget-heldout", retainName = "retain", utilityName = "utility"

    /// The forget rows split once: `relearn` (trained on) and `heldOut` (measured), by a
    /// seeded shuffle. Both parts keep the forget file's record (role says which part).
    public func split(_ config: RelearnConfig) throws -> (relearn: RowSet, heldOut: RowSet) {
        var rows = forget.rows
        var rng = Xoshiro256StarStar(seed: config.splitSeed, stream: 0x2E1EA2)
        rng.shuffle(&rows)
        let count = Int((Double(rows.count) * config.relearnFraction).rounded())
        guard count >= 1, rows.count - count >= 1 else {
            throw AuditError.emptyDataset(path: forget.record.source,
                                          reason: "\(rows.count) forget rows cannot be split into a relearning part and a held-out rest at fraction \(config.relearnFraction)")
        }
        var relearn = RowSet(name: "forget-relearn", rows: Array(rows.prefix(count)), record: forget.record)
        relearn.record.role = "forget (relearning part)"
        relearn.record.rows = count
        var heldOut = RowSet(name: Self.heldOutName, rows: Array(rows.dropFirst(count)), record: forget.record)
        heldOut.record.role = "forget (held-out part)"
        heldOut.record.rows = rows.count - count
        return (relearn, heldOut)
    }

    /// The evaluation sets, held-out forget rows first.
    func evalSets(heldOut: RowSet) -> [RowSet] {
        var sets = [heldOut, RowSet(name: Self.retainName, rows: retain.rows, record: retain.record)]
        if let utility { sets.append(RowSet(name: Self.utilityName, rows: utility.rows, record: utility.record)) }
        return sets
    }

    /// The first `count` unrelated rows.
    func unrelatedPart(_ count: Int) -> RowSet? {
        guard var u = unrelated else { return nil }
        u.rows = Array(u.rows.prefix(count))
        u.record.role = "unrelated fine-tuning (first \(u.rows.count) rows)"
        return u
    }

    /// Forget rows whose prompt is also a retain prompt (reported; such rows blur the metric).
    public var overlap: [String] {
        let retainPrompts = Set(retain.rows.map(\.prompt))
        return forget.rows.map(\.prompt).filter { retainPrompts.contains($0) }
    }
}
