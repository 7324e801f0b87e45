import Foundation
import TemperFormats
import TemperHarden

/// The per-layer depth audit of METHODS.md §6 for base vs defended (vs attacked, vs
/// unlearned) models: relative weight change per block and module, logit-lens harmful
/// log-likelihood, the prompt-type probe and the knowledge probe at each residual point,
/// attack cost per learning rate, the freeze ablation when its models or results are given,
/// and the quantization round trip when file types are given.
public enum DepthAudit {
    /// - Parameters:
    ///   - attacked: an optional third model (e.g. the defended model after an attack).
    ///   - unlearned: an optional unlearned model (weight change, lens and both probes).
    ///   - freezeAblation: defended models made with early blocks frozen; each is attacked.
    ///   - freezeAblationResults: results measured elsewhere (merged with the above by k).
    ///   - quantization: llama-quantize file types to round-trip base and defended through.
    public static func run(base: URL, defended: URL, attacked: URL? = nil, unlearned: URL? = nil, data: AuditData,
                           config: DepthConfig = DepthConfig(), freezeAblation: [FreezeAblationModel] = [],
                           freezeAblationResults: [FreezeAblationResult] = [], quantization: [LlamaFileType] = [],
                           log: (String) -> Void = { _ in }) throws -> DepthReport {
        let started = Date()
        try config.validate()
        try checkThreshold(config.grid.threshold, metric: data.primaryMetric)
        var folders: [(role: String, folder: URL)] = [("base model", base), ("defended model", defended)]
        var names = ["base", "defended"]
        if let attacked { folders.append(("attacked model", attacked)); names.append("attacked") }
        if let unlearned { folders.append(("unlearned model", unlearned)); names.append("unlearned") }
        let loaded = try AuditInputs.load(folders, data: data)
        let subjects = Array(zip(names, loaded))

        log("depth audit: relative weight change")
        let weightChange = try subjects.dropFirst().map { name, m in try WeightChange.compare(reference: loaded[0], model: m, label: name) }

        let lensSets = data.harmSets
        log("depth audit: logit lens on \(lensSets.map(\.name).joined(separator: ", "))")
        let lens = try subjects.map { name, m in
            ResidualSeries(model: name, path: m.folder.path,
                           values: try LogitLens.responseLogLikelihood(model: m.model, encoding: m.encoding, sets: lensSets))
        }

        log("depth audit: prompt-type probes (\(config.probe.pooling.rawValue))")
        let probeData = try ProbeDataset(harmful: lensSets, harmless: data.harmless, config: config.probe)
        let probes = try subjects.map { name, m in
            ProbeSeries(model: name, path: m.folder.path,
                        points: try LinearProbe.run(model: m.model, encoding: m.encoding, data: probeData, config: config.probe))
        }

        var knowledgeSets = [lensSets]
        if let forget = data.forget { knowledgeSets.append([forget]) }
        let knowledge = try knowledgeSets.map { sets in
            log("depth audit: knowledge probe on the answers of \(sets.map(\.name).joined(separator: ", "))")
            return try KnowledgeProbe.run(models: subjects.map { ($0.0, $0.1) }, sets: sets, config: config.knowledgeProbe)
        }

        var measures: [DepthMeasure] = [.weightChange, .logitLens, .probe, .knowledgeProbe]
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

        var quantized: QuantizationReport?
        if !quantization.isEmpty {
            quantized = try QuantizationAudit.run(base: base, defended: defended, data: try QuantizationData(data), types: quantization, log: log)
            measures.append(.quantization)
        }

        return DepthReport(base: base.path, defended: defended.path, attacked: attacked?.path, unlearned: unlearned?.path, data: data.records,
                           lensSets: lensSets.map(\.name), attackedSet: data.harmful.name, metric: data.primaryMetric,
                           judges: data.judges.map(JudgeRecord.init), config: config,
                           layers: loaded[0].model.layerCount, measures: measures, weightChange: weightChange, logitLens: lens,
                           probePooling: config.probe.pooling, probeTrainExamples: probeData.trainPrompts.count,
                           probeTestExamples: probeData.testPrompts.count, probe: probes, knowledgeProbe: knowledge, attackCost: cost,
                           freezeAblation: ablation.isEmpty ? nil : ablation, quantization: quantized, seconds: Date().timeIntervalSince(started))
    }
}
