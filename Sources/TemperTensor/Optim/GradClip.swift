/// Scales gradients so their global L2 norm is at most `maxNorm`, as
/// `torch.nn.utils.clip_grad_norm_`: coef = min(1, maxNorm / (total + 1e-6)). Returns the
/// total norm before clipping. Gradients are replaced by new tensors, never edited in place.
@discardableResult
public func clipGradNorm(_ parameters: [Tensor], maxNorm: Float) -> Float {
    let grads = parameters.compactMap(\.grad)
    var sumSquares: Double = 0
    for g in grads {
        let norm = Float(Double(ReduceKernels.dot(g.pointer, g.pointer, g.count)).squareRoot())
        sumSquares += Double(norm) * Double(norm)
    }
    let total = Float(sumSquares.squareRoot())
    let coef = Swift.min(maxNorm / (total + 1e-6), 1)
    if coef < 1 {
        for p in parameters { if let g = p.grad { p.grad = g.detach() * coef } }
    }
    return total
}
