import Foundation
import TemperHarden

/// The relearning audit of METHODS.md §7 and §12: fine-tune the unlearned model U on a part
/// of the forget set, and separately on a few unrelated benign rows, with the one
/// fine-tuning attack (`FineTuningAttack`: response-only SFT, AdamW, cosine, every
/// (learning rate, seed) from U); measure the held-out rest of the forget set (exact-match
/// accuracy and answer log-likelihood), retain accuracy and utility at each budget; report
/// recovery as the fraction of the gap between U and the original model B, mean ± sd over
/// seeds.
public enum RelearnAudit {
    public static func run(base: URL, unlearned: URL, data: RelearnData, config: RelearnConfig = RelearnConfig(),
                           log: (String) -> Void = { _ in }) throws -> RelearnReport {
        let started = Date()
        try config.validate()
        let (relearn, heldOut) = try data.split(config)
        let overlap = data.overlap
        if !overlap.isEmpty { log("relearn audit: warning: \(overlap.count) forget prompt(s) are also retain prompts, e.g. '\(overlap[0])'") }
        let models = try AuditInputs.load([("base model", base), ("unlearned model", unlearned)], data: AuditData(
            harmful: data.forget, harmless: data.retain, judges: [], text: data.text, checkModel: data.checkModel))
        let sets = data.evalSets(heldOut: heldOut)
        let judge = ExactMatchJudge()

        func metrics(_ m: AuditModel, _ label: String) throws -> RelearnMetrics {
            log("relearn audit: measuring the \(label) model")
            let evaluator = m.evaluator(data.text)
            return try RelearnMetrics(measurements: try sets.map { try evaluator.harm($0, judges: [judge]) }, hasUtility: data.utility != nil)
        }
        let baseMetrics = try metrics(models[0], "base")
        let unlearnedMetrics = try metrics(models[1], "unlearned")

        var attacks: [RelearnAttack] = []
        var curves: [RelearnCurve] = []
        var trainSets: [(RelearnKind, RowSet)] = [(.forgetPart, relearn)]
        let unrelated = data.unrelatedPart(config.unrelatedRows)
        if let unrelated { trainSets.append((.unrelated, unrelated)) }
        for (kind, train) in trainSets {
            log("relearn audit: fine-tuning the unlearned model on \(kind == .forgetPart ? "\(train.rows.count) forget rows" : "\(train.rows.count) unrelated rows")")
            let attackData = try AttackData(train: train, eval: sets, attackedSet: RelearnData.heldOutName, judges: [judge])
            let report = try FineTuningAttack.run(modelFolder: unlearned, data: attackData, grid: config.grid, text: data.text,
                                                  log: { log("  \(kind.rawValue): \($0)") })
            attacks.append(RelearnAttack(kind: kind, report: report))
            curves += try RelearnSummary.curves(report, kind: kind, base: baseMetrics, unlearned: unlearnedMetrics)
        }

        var records = [relearn.record, heldOut.record, data.retain.record]
        if let u = data.utility { records.append(u.record) }
        if let u = unrelated { records.append(u.record) }
        return RelearnReport(base: base.path, unlearned: unlearned.path, data: records, relearnRows: relearn.rows.count,
                             heldOutRows: heldOut.rows.count, unrelatedRows: unrelated?.rows.count, forgetRetainOverlap: overlap,
                             config: config, template: models[1].encoding.formatDescription, baseMetrics: baseMetrics,
                             unlearnedMetrics: unlearnedMetrics, curves: curves, worstCase: RelearnSummary.worstCase(curves),
                             attacks: attacks, seconds: Date().timeIntervalSince(started))
    }
}
