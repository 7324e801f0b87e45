import Foundation
import TemperModels
import TemperTensor

/// One node layer's results.
public struct LayerDegeneracy: Sendable {
    public var layer: NodeLayer
    /// Model width at this layer (hidden size, or the vocabulary for logits); the bases are
    /// one wider on residual layers (the constant-1 coordinate).
    public var hidden: Int
    /// "interaction", "svd" (the last node layer: Gram eigenvectors) or "unrotated" (logits
    /// of a vocabulary above `maxLogitsGram`, no statistics).
    public var kind: String
    public var basis: InteractionBasis?
    public var ablation: AblationCurve?
    public var harmful: HarmfulDirection?
}

/// Edges between two consecutive node layers in the interaction and the PCA basis.
public struct LayerEdges: Sendable {
    public var interaction: EdgeSummary
    public var pca: EdgeSummary
}

/// Everything the degeneracy audit measured on one model.
public struct DegeneracyResult: Sendable {
    public var layers: [LayerDegeneracy]
    public var units: [UnitDegeneracy]
    public var edges: [LayerEdges]
    public var tokens: Int
    public var harmfulTokens: Int
    public var harmlessTokens: Int
    /// Seconds per phase (statistics, bases, ablation, edges).
    public var seconds: [String: Double]
}

/// The degeneracy audit of METHODS.md §9 (rib `interaction_algos.calculate_interaction_rotations`,
/// Algorithm 2 "RIB in transformers"): node layers are the residual stream between blocks
/// and the logits; bases are built from the output backwards.
public enum DegeneracyAudit {
    public static func run(model: any CausalLanguageModel, sequences: [DegeneracySequence], config: DegeneracyConfig,
                           progress: (String) -> Void = { _ in }) throws -> DegeneracyResult {
        try config.validate()
        let runner = SectionRunner(model: model)
        let layers = try NodeLayer.select(config.layers, layerCount: model.layerCount)
        let batches = try DegeneracyData.batches(sequences, batchTokens: config.batchTokens)
        guard !batches.isEmpty else { throw AuditError.emptyDataset(path: "dataset", reason: "no rows to audit") }
        let gramLayers = Set(layers.filter { $0 != .logits || model.vocabSize <= config.maxLogitsGram })
        var seconds: [String: Double] = [:]
        var clock = Date()
        func lap(_ name: String) { seconds[name] = Date().timeIntervalSince(clock); clock = Date() }

        progress("statistics: \(layers.count) node layers, \(sequences.count) rows")
        let stats = try ActivationStatistics.collect(runner, batches: batches, layers: layers, gramLayers: gramLayers)
        lap("statistics")

        // Bases from the last node layer backwards (rib builds C^{l+1} before C^l).
        var bases: [NodeLayer: InteractionBasis] = [:]
        let points = config.integrationPoints
        for (position, layer) in layers.enumerated().reversed() {
            guard let gram = stats.layers[layer]?.gram, gramLayers.contains(layer) else { continue }
            if position == layers.count - 1 {
                bases[layer] = try InteractionBasis.svd(gram: gram, threshold: config.threshold, layer: layer.name)
                continue
            }
            guard case let .residual(index) = layer else { continue }
            let next = layers[position + 1]
            progress("interaction basis: \(layer.name) (next: \(next.name))")
            switch config.basisFormula {
            case .integratedGradient:
                let ig = try IntegratedGradients.collect(runner, batches: batches, from: index, to: next,
                                                         cNext: bases[next]?.c, points: points)
                bases[layer] = try InteractionBasis.interaction(gram: gram, mDash: ig.mDash, lambdaDash: ig.lambdaDash,
                                                                threshold: config.threshold, layer: layer.name)
            case .jacobian:
                let mDash = try JacobianGradients.collect(runner, batches: batches, from: index, to: next, cNext: bases[next]?.c,
                                                          points: points, sources: config.jacobianSources, seed: config.seed,
                                                          chunk: config.edgeChunk)
                bases[layer] = try InteractionBasis.interaction(gram: gram, mDash: mDash, lambdaDash: nil,
                                                                threshold: config.threshold, layer: layer.name)
            }
        }
        lap("bases")

        var results: [LayerDegeneracy] = []
        var ablationBatches = config.ablationTokens > 0
            ? try DegeneracyData.batches(DegeneracyData.prefix(sequences, tokens: config.ablationTokens), batchTokens: config.batchTokens) : []
        if !ablationBatches.isEmpty, !ablationBatches.contains(where: { $0.responseLabelCount > 0 }) {
            progress("ablation skipped: the first \(config.ablationTokens) tokens hold no harmless response tokens to score")
            ablationBatches = []
        }
        for (position, layer) in layers.enumerated() {
            let basis = bases[layer]
            let kind = basis == nil ? "unrotated" : (position == layers.count - 1 ? "svd" : "interaction")
            var entry = LayerDegeneracy(layer: layer, hidden: runner.width(layer), kind: kind, basis: basis)
            if let basis, let s = stats.layers[layer] {
                entry.harmful = try HarmfulDirection.measure(s, harmfulTokens: stats.harmfulTokens, harmlessTokens: stats.harmlessTokens, basis: basis)
                if case let .residual(index) = layer, !ablationBatches.isEmpty {
                    progress("ablation: \(layer.name)")
                    entry.ablation = try Ablation.curve(runner, batches: ablationBatches, index: index, basis: basis, points: config.ablationPoints)
                }
            }
            results.append(entry)
        }
        lap("ablation")

        var edges: [LayerEdges] = []
        if config.edgeTokens > 0 {
            let edgeBatches = try DegeneracyData.batches(DegeneracyData.prefix(sequences, tokens: config.edgeTokens), batchTokens: config.batchTokens)
            for (layer, next) in zip(layers, layers.dropFirst()) {
                guard case let .residual(index) = layer, let a = bases[layer], let b = bases[next] else { continue }
                progress("edges: \(layer.name) → \(next.name)")
                let settings = InteractionEdges.Settings(formula: config.edgeFormula, sources: config.edgeSources, seed: config.seed,
                                                         chunk: config.edgeChunk)
                let inter = try InteractionEdges.compute(runner, batches: edgeBatches, from: index, to: next, cIn: a.c, cInPinv: a.cPinv,
                                                         cOut: b.c, points: points, settings: settings)
                let pca = try InteractionEdges.compute(runner, batches: edgeBatches, from: index, to: next, cIn: a.u, cInPinv: a.u.transposed,
                                                       cOut: b.u, points: points, settings: settings)
                edges.append(LayerEdges(interaction: EdgeSummary(from: layer.name, to: next.name, weights: inter),
                                        pca: EdgeSummary(from: layer.name, to: next.name, weights: pca)))
            }
        }
        lap("edges")
        return DegeneracyResult(layers: results, units: stats.units.summary(), edges: edges, tokens: stats.tokens,
                                harmfulTokens: stats.harmfulTokens, harmlessTokens: stats.harmlessTokens, seconds: seconds)
    }
}
