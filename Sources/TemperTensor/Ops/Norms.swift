/// Normalisations over the last axis, each one fused op with its own backward rule.
extension Tensor {
    /// RMSNorm as in Hugging Face Llama: x / √(mean(x²) + eps) · weight.
    public func rmsNorm(weight: Tensor, eps: Float) throws -> Tensor {
        guard let n = shape.last, weight.shape == [n] else {
            throw TensorError.shapeMismatch(op: "rmsNorm", lhs: shape, rhs: weight.shape)
        }
        let rows = n == 0 ? 0 : count / n
        let out = Tensor.empty(shape), rstd = Tensor.empty([rows])
        NormKernels.rmsForward(x: pointer, w: weight.pointer, y: out.pointer, rstd: rstd.pointer, rows: rows, n: n, eps: eps)
        return Tensor.record(.rmsNorm(eps: eps), out, inputs: [self, weight], saved: [rstd])
    }

    /// LayerNorm (biased variance, as PyTorch) with optional affine weight and bias.
    public func layerNorm(weight: Tensor?, bias: Tensor?, eps: Float) throws -> Tensor {
        guard let n = shape.last else { throw TensorError.invalidShape(op: "layerNorm", shape: shape, reason: "scalar") }
        for p in [weight, bias].compactMap({ $0 }) where p.shape != [n] {
            throw TensorError.shapeMismatch(op: "layerNorm", lhs: shape, rhs: p.shape)
        }
        let rows = n == 0 ? 0 : count / n
        let out = Tensor.empty(shape), mean = Tensor.empty([rows]), rstd = Tensor.empty([rows])
        NormKernels.layerForward(x: pointer, w: weight?.pointer, b: bias?.pointer, y: out.pointer,
                                 mean: mean.pointer, rstd: rstd.pointer, rows: rows, n: n, eps: eps)
        let op = Op.layerNorm(eps: eps, hasWeight: weight != nil, hasBias: bias != nil)
        return Tensor.record(op, out, inputs: [self] + [weight, bias].compactMap { $0 }, saved: [mean, rstd])
    }
}
