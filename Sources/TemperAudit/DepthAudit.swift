import Foundation
import TemperHarden

/// The per-layer depth audit of METHODS.md §6 for base vs defended (vs attacked) models:
/// relative weight change per block and module, logit-lens harmful log-likelihood and
/// linear-probe accuracy at each residual point, attack cost per learning rate, and the
/// freeze ablation when its models or results are given.
public enum DepthAudit {
    /// - Parameters:
    ///   - attacked: an optional third model (e.g. the defended model after an attack).
    ///   - freezeAblation: defended models made with early blocks frozen; each is attacked.
    ///   - freezeAblationResults: results measured elsewhere (merged with the above by k).
    public static func run(base: URL, defended: URL, attacked: URL? = nil, data: AuditData, config: DepthConfig = DepthConfig(),
                           freezeAblation: [FreezeAblationModel] = [], freezeAblationResults: [FreezeAblationResult] = [],
                           log: (String) -> Void = { _ in }) throws -> DepthReport {
        let started = Date()
        try config.validate()
        try checkThreshold(config.grid.threshold, metric: data.primaryMetric)
        var folders: [(role: String, folder: URL)] = [("base model", base), ("defended model", defended)]
        if let attacked { folders.append(("attacked model", attacked)) }
        let loaded = try AuditInputs.load(folders, data: data)
        let names = ["base", "defended", "attacked"]
        let subjects = Array(zip(names, loaded))

        log("depth audit: relative weight change")
        var weightChange = [try WeightChange.compare(reference: loaded[0], model: loaded[1], label: "defended")]
        if loaded.count > 2 { weightChange.append(try WeightChange.compare(reference: loaded[0], model: loaded[2], label: "attacked")) }

        let lensSets = data.harmSets
        log("depth audit: logit lens on \(lensSets.map(\.name).joined(separator: ", "))")
        let lens = try subjects.map { name, m in
            ResidualSeries(model: name, path: m.folder.path,
                           values: try LogitLens.responseLogLikelihood(model: m.model, encoding: m.encoding, sets: lensSets))
        }

        log("depth audit: linear probes (\(config.probe.pooling.rawValue))")
        let probeData = try ProbeDataset(harmful: lensSets, harmless: data.harmless, config: config.probe)
        let probes = try subjects.map { name, m in
            ProbeSeries(model: name, path: m.folder.path,
                        points: try LinearProbe.run(model: m.model, encoding: m.encoding, data: probeData, config: config.probe))
        }

        var measures: [DepthMeasure] = [.weightChange, .logitLens, .probe]
        var cost: [AttackCost]?
        if config.measureAttackCost {
            cost = try subjects.prefix(2).map { name, m in
                log("depth audit: attack cost of the \(name) model")
                return try AttackCost.measure(m.folder, data: data, grid: config.grid, label: name, log: log)
            }
            measures.append(.attackCost)
        }
        var ablation = try FreezeAblation.measure(freezeAblation, data: data, grid: config.grid, log: log)
        let measuredKs = Set(ablation.map(\.frozenThrough))
        ablation += freezeAblationResults.filter { !measuredKs.contains($0.frozenThrough) }
        ablation.sort { $0.frozenThrough < $1.frozenThrough }
        if !ablation.isEmpty { measures.append(.freezeAblation) }

        return DepthReport(base: base.path, defended: defended.path, attacked: attacked?.path, data: data.records,
                           lensSets: lensSets.map(\.name), attackedSet: data.harmful.name, metric: data.primaryMetric,
                           judges: data.judges.map(JudgeRecord.init), config: config,
                           layers: loaded[0].model.layerCount, measures: measures, weightChange: weightChange, logitLens: lens,
                           probePooling: config.probe.pooling, probeTrainExamples: probeData.trainPrompts.count,
                           probeTestExamples: probeData.testPrompts.count, probe: probes, attackCost: cost,
                           freezeAblation: ablation.isEmpty ? nil : ablation, seconds: Date().timeIntervalSince(started))
    }
}
