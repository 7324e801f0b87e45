import TemperTensor

/// A VJP seed formed in f64 and handed to the float32 backward pass scaled by a power of two,
/// so that its largest entry is about 1. Interaction bases grow layer by layer going down a
/// deep model (C_l carries Λ_l^{1/2}, and Λ_l grows with C_{l+1}): on a 30-block model the
/// seeds C C^T f̂ reach beyond float32's range (the audit of SmolLM2-135M stopped with
/// non-finite gradients at residual.17). Gradients are linear in the seed, so callers multiply
/// what comes back by `scale` in f64; a power of two makes the division exact.
struct SeedScale {
    let values: [Float]
    let scale: Double

    init(_ seed: [Double], layer: NodeLayer) throws {
        let largest = seed.reduce(0) { max($0, abs($1)) }
        guard largest.isFinite else { throw AuditError.numericRange(layer: layer.name) }
        scale = largest > 0 ? Double(sign: .plus, exponent: largest.exponent, significand: 1) : 1
        let inverse = 1 / scale
        values = seed.map { Float($0 * inverse) }
    }

    func tensor(shape: [Int]) throws -> Tensor { try Tensor(shape: shape, values: values) }
}
