import Foundation
import TemperHarden
import TemperWorld

/// The per-layer depth audit of METHODS.md §6 for base vs defended (vs attacked) models:
/// relative weight change per block and module, logit-lens harmful log-likelihood and
/// linear-probe accuracy at each residual point, attack cost per learning rate, and the
/// freeze ablation when its models or results are given.
public enum DepthAudit {
    /// - Parameters:
    ///   - attacked: an optional third model (e.g. the defended model after an attack).
    ///   - freezeAblation: defended models made with early blocks frozen; each is attacked.
    ///   - freezeAblationResults: results measured elsewhere (merged with the above by k).
    public static func run(base: URL, defended: URL, attacked: URL? = nil, world worldFolder: URL, config: DepthConfig = DepthConfig(),
                           freezeAblation: [FreezeAblationModel] = [], freezeAblationResults: [FreezeAblationResult] = [],
                           log: (String) -> Void = { _ in }) throws -> DepthReport {
        let started = Date()
        try config.validate()
        let world = try AuditWorld.open(worldFolder)
        var folders: [(role: String, folder: URL)] = [("base model", base), ("defended model", defended)]
        if let attacked { folders.append(("attacked model", attacked)) }
        let loaded = try AuditInputs.load(folders, world: world)
        let names = ["base", "defended", "attacked"]
        let subjects = Array(zip(names, loaded))

        log("depth audit: relative weight change")
        var weightChange = [try WeightChange.compare(reference: loaded[0], model: loaded[1], label: "defended")]
        if loaded.count > 2 { weightChange.append(try WeightChange.compare(reference: loaded[0], model: loaded[2], label: "attacked")) }

        log("depth audit: logit lens on \(config.lensSplits.joined(separator: ", "))")
        let lensRows = try config.lensSplits.flatMap { try world.rows($0) }
        let lens = try subjects.map { name, m in
            ResidualSeries(model: name, path: m.folder.path,
                           values: try LogitLens.responseLogLikelihood(model: m.model, tokenizer: m.tokenizer, rows: lensRows))
        }

        log("depth audit: linear probes (\(config.probe.pooling.rawValue))")
        let probeData = try ProbeDataset(world: world, config: config.probe)
        let probes = try subjects.map { name, m in
            ProbeSeries(model: name, path: m.folder.path,
                        points: try LinearProbe.run(model: m.model, tokenizer: m.tokenizer, data: probeData, config: config.probe))
        }

        var measures: [DepthMeasure] = [.weightChange, .logitLens, .probe]
        var cost: [AttackCost]?
        if config.measureAttackCost {
            cost = try subjects.prefix(2).map { name, m in
                log("depth audit: attack cost of the \(name) model")
                return try AttackCost.measure(m.folder, world: world, grid: config.grid, attackedSplit: config.attackedSplit, label: name, log: log)
            }
            measures.append(.attackCost)
        }
        var ablation = try FreezeAblation.measure(freezeAblation, world: world, grid: config.grid, attackedSplit: config.attackedSplit, log: log)
        let measuredKs = Set(ablation.map(\.frozenThrough))
        ablation += freezeAblationResults.filter { !measuredKs.contains($0.frozenThrough) }
        ablation.sort { $0.frozenThrough < $1.frozenThrough }
        if !ablation.isEmpty { measures.append(.freezeAblation) }

        return DepthReport(base: base.path, defended: defended.path, attacked: attacked?.path, world: worldFolder.path, config: config,
                           layers: loaded[0].model.layerCount, measures: measures, weightChange: weightChange, logitLens: lens,
                           probePooling: config.probe.pooling, probeTrainExamples: probeData.trainPrompts.count,
                           probeTestExamples: probeData.testPrompts.count, probe: probes, attackCost: cost,
                           freezeAblation: ablation.isEmpty ? nil : ablation, seconds: Date().timeIntervalSince(started))
    }
}
