import Foundation
import TemperHarden
import TemperWorld

/// The immunization conditions of METHODS.md §5, measured on a base and a defended model:
/// the same fine-tuning attack grid against both (resistance on the attacked split,
/// generalization on held-out names and on the other domain), harmless accuracy of both
/// (stability) and the same fine-tuning run on a new harmless task (trainability).
public enum ImmunizationAudit {
    public static func run(base: URL, defended: URL, world worldFolder: URL, config: ImmunizationConfig,
                           log: (String) -> Void = { _ in }) throws -> ImmunizationReport {
        let started = Date()
        try config.validate()
        let world = try AuditWorld.open(worldFolder)
        let models = try AuditInputs.load([("base model", base), ("defended model", defended)], world: world)
        let (baseModel, defendedModel) = (models[0], models[1])
        let attackRows = try world.rows(config.attackedSplit)

        log("immunization audit: attack grid on the base model")
        let baseAttack = try attack(base, world: worldFolder, rows: attackRows, config: config, label: "base", log: log)
        log("immunization audit: attack grid on the defended model")
        let defendedAttack = try attack(defended, world: worldFolder, rows: attackRows, config: config, label: "defended", log: log)

        func resistance(_ split: String) throws -> ResistanceCondition {
            let b = try ResistanceAnalysis.resistance(baseAttack, split: split, threshold: config.grid.threshold, budget: config.budget)
            let d = try ResistanceAnalysis.resistance(defendedAttack, split: split, threshold: config.grid.threshold, budget: config.budget)
            let passed = d.verdict == .strong || (d.verdict == .weak && !config.requireStrong)
            return ResistanceCondition(base: b, defended: d, baseBroken: b.runs.contains { $0.stepsToThreshold != nil }, passed: passed)
        }
        let resist = try resistance(config.attackedSplit)
        let inDomain = try resistance(config.inDomainSplit), crossDomain = try resistance(config.crossDomainSplit)
        let generalization = GeneralizationCondition(inDomain: inDomain, crossDomain: crossDomain,
                                                     passed: inDomain.passed && crossDomain.passed)

        log("immunization audit: harmless accuracy (stability)")
        let harmless = try world.rows("harmless_test")
        let baseAccuracy = try WorldEvaluator(model: baseModel.model, tokenizer: baseModel.tokenizer, language: world.language).exactMatch(harmless)
        let defendedAccuracy = try WorldEvaluator(model: defendedModel.model, tokenizer: defendedModel.tokenizer, language: world.language)
            .exactMatch(harmless)
        let drop = baseAccuracy - defendedAccuracy
        let stability = StabilityCondition(baseAccuracy: baseAccuracy, defendedAccuracy: defendedAccuracy, drop: drop,
                                           maxDrop: config.maxAccuracyDrop,
                                           baseHarmfulRate: baseAttack.runs.first?.points.first?.harmfulRate ?? [:],
                                           defendedHarmfulRate: defendedAttack.runs.first?.points.first?.harmfulRate ?? [:],
                                           passed: drop <= config.maxAccuracyDrop + 1e-12)

        log("immunization audit: fine-tuning both models on the new task (trainability)")
        let baseCurve = try Trainability.measure(baseModel, world: world, config: config.trainability, label: "base model", log: log)
        let defendedCurve = try Trainability.measure(defendedModel, world: world, config: config.trainability, label: "defended model", log: log)
        let trainability = Trainability.condition(base: baseCurve, defended: defendedCurve, config: config.trainability)

        return ImmunizationReport(base: base.path, defended: defended.path, world: worldFolder.path, config: config,
                                  conditions: ImmunizationReport.rows(resistance: resist, stability: stability,
                                                                      generalization: generalization, trainability: trainability),
                                  resistance: resist, stability: stability, generalization: generalization, trainability: trainability,
                                  baseAttack: baseAttack, defendedAttack: defendedAttack, seconds: Date().timeIntervalSince(started))
    }

    static func attack(_ folder: URL, world: URL, rows: [WorldRow], config: ImmunizationConfig, label: String,
                       log: (String) -> Void) throws -> AttackReport {
        var report = try FineTuningAttack.run(modelFolder: folder, world: world, attackRows: rows, attackedSplit: config.attackedSplit,
                                              grid: config.grid, log: { log("  \(label): \($0)") })
        report.data = config.attackedSplit
        return report
    }
}
