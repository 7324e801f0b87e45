import TemperModels
import TemperTensor

/// Runs a model between node layers, as rib's `SequentialTransformer` sections: the
/// residual at a point, and the next node layer's activations computed from a given
/// residual (through `ForwardOptions.start`), so a layer's statistics need only its own
/// section in the autograd graph.
struct SectionRunner {
    let model: any CausalLanguageModel

    /// Freezes every parameter: gradients flow to section inputs only.
    init(model: any CausalLanguageModel) {
        self.model = model
        model.parameters.setTrainable { _ in false }
    }

    var layerCount: Int { model.layerCount }

    /// Width of a node layer's activations (hidden size, or the vocabulary for logits).
    func width(_ layer: NodeLayer) -> Int {
        if case .logits = layer { return model.vocabSize }
        return model.hiddenSize
    }

    /// The residual stream at point `index` [batch, length, hidden], outside any graph.
    func residual(_ index: Int, _ batch: DegeneracyBatch) throws -> Tensor {
        try noGrad {
            let options = ForwardOptions(captureResiduals: true, stopAfterBlock: max(0, index - 1), logits: .none)
            let output = try model.forward(batch.tokens, options: options)
            return output.residuals[index]
        }
    }

    /// Activations of `target` computed from `input` placed at residual point `index`. Records a
    /// graph when `input` requires grad (callers wrap this in `withGrad`).
    func run(from index: Int, input: Tensor, to target: NodeLayer, _ batch: DegeneracyBatch) throws -> Tensor {
        let start = ResidualStart(index: index, value: input)
        switch target {
        case let .residual(j):
            var options = ForwardOptions(captureResiduals: true, stopAfterBlock: j - 1, logits: .none)
            options.start = start
            let output = try model.forward(batch.tokens, options: options)
            guard let last = output.residuals.last, output.residuals.count == j - index + 1 else {
                throw AuditError.invalidConfig("section \(index) → \(j) captured \(output.residuals.count) residuals")
            }
            return last
        case .logits:
            var options = ForwardOptions(logits: .all)
            options.start = start
            guard let logits = try model.forward(batch.tokens, options: options).logits else {
                throw AuditError.invalidConfig("section \(index) → logits computed no logits")
            }
            return logits
        }
    }

    /// The rows of a [batch, length, width] tensor at real positions, as an f64 panel
    /// [n, width (+1)], with the constant-1 coordinate appended last when `bias` (rib folds
    /// biases in that way and keeps the bias position last). Throws on non-finite values.
    static func panel(_ t: Tensor, _ batch: DegeneracyBatch, bias: Bool, layer: NodeLayer,
                      biasValue: Double = 1, keep: ((Int, Int) -> Bool)? = nil) throws -> (values: [Double], rows: Int) {
        let width = t.shape[t.rank - 1], stride = width + (bias ? 1 : 0)
        let length = batch.length
        var out: [Double] = []
        out.reserveCapacity(batch.realCount * stride)
        var rows = 0
        try t.withUnsafeBufferPointer { p in
            for (position, real) in batch.mask.enumerated() where real {
                let (row, column) = (position / length, position % length)
                if let keep, !keep(row, column) { continue }
                let base = position * width
                for k in 0..<width {
                    let v = Double(p[base + k])
                    guard v.isFinite else { throw AuditError.nonFiniteActivations(layer: layer.name, row: batch.sequences[row].line) }
                    out.append(v)
                }
                if bias { out.append(biasValue) }
                rows += 1
            }
        }
        return (out, rows)
    }
}
