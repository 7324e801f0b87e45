import TemperModels
import TemperTensor

/// What one pass over the dataset collects per node layer: the Gram matrix with the bias
/// folded in (rib `collect_gram_matrices` / `calc_gram_matrix`, normalized by the token
/// count), and the sums of activations over harmful and harmless prompt tokens.
struct NodeStatistics {
    var gram: Matrix64
    var harmfulSum: [Double]
    var harmlessSum: [Double]
}

struct ActivationStatistics {
    var layers: [NodeLayer: NodeStatistics] = [:]
    var tokens = 0
    var harmfulTokens = 0
    var harmlessTokens = 0
    var units: UnitPatterns

    /// Whether a layer carries the constant-1 coordinate (every residual point; the logits
    /// do not, as rib's output node layer).
    static func hasBias(_ layer: NodeLayer) -> Bool { layer != .logits }

    static func collect(_ runner: SectionRunner, batches: [DegeneracyBatch], layers: [NodeLayer],
                        gramLayers: Set<NodeLayer>) throws -> ActivationStatistics {
        let model = runner.model
        let tokenCount = batches.reduce(0) { $0 + $1.realCount }
        var stats = ActivationStatistics(units: UnitPatterns(blocks: model.layerCount, tokens: tokenCount))
        // Layers without a Gram (the logits of a large vocabulary) collect nothing.
        let layers = layers.filter(gramLayers.contains)
        for layer in layers {
            let width = runner.width(layer) + (hasBias(layer) ? 1 : 0)
            let gram = try Matrix64.zeros(width, width)
            stats.layers[layer] = NodeStatistics(gram: gram, harmfulSum: [Double](repeating: 0, count: width),
                                                 harmlessSum: [Double](repeating: 0, count: width))
        }
        let wantsLogits = layers.contains(.logits)
        for batch in batches {
            var options = ForwardOptions(captureResiduals: true, logits: wantsLogits ? .all : .none)
            options.captureMLPGates = true
            let output = try noGrad { try model.forward(batch.tokens, options: options) }
            for layer in layers {
                let tensor: Tensor
                switch layer {
                case let .residual(i): tensor = output.residuals[i]
                case .logits:
                    guard let logits = output.logits else { throw AuditError.invalidConfig("the forward pass returned no logits") }
                    tensor = logits
                }
                try stats.add(tensor, batch, layer: layer)
            }
            try stats.units.add(output.mlpGates, batch)
            stats.tokens += batch.realCount
        }
        for s in batches.flatMap(\.sequences) {
            if s.harmful { stats.harmfulTokens += s.promptLength } else { stats.harmlessTokens += s.promptLength }
        }
        let scale = 1 / Double(max(1, stats.tokens))
        for layer in layers {
            guard var s = stats.layers[layer] else { continue }
            s.gram = s.gram.scaled(scale)
            stats.layers[layer] = s
        }
        return stats
    }

    private mutating func add(_ t: Tensor, _ batch: DegeneracyBatch, layer: NodeLayer) throws {
        let bias = Self.hasBias(layer)
        let (panel, rows) = try SectionRunner.panel(t, batch, bias: bias, layer: layer)
        guard var s = layers[layer] else { return }
        let width = s.harmfulSum.count
        try s.gram.addProduct(transposing: panel, panel, count: rows)
        // Prompt tokens, split by the row's label.
        var r = 0
        for (position, real) in batch.mask.enumerated() where real {
            let (row, column) = (position / batch.length, position % batch.length)
            let sequence = batch.sequences[row]
            if column < sequence.promptLength {
                for k in 0..<width {
                    if sequence.harmful { s.harmfulSum[k] += panel[r * width + k] } else { s.harmlessSum[k] += panel[r * width + k] }
                }
            }
            r += 1
        }
        layers[layer] = s
    }
}
