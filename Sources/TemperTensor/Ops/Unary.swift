/// Elementwise functions. Each is one `UnaryOp` case; none can fail.
extension Tensor {
    func unary(_ op: UnaryOp) -> Tensor {
        let out = Tensor.empty(shape)
        UnaryKernels.forward(op, pointer, out.pointer, count)
        return Tensor.record(.unary(op), out, inputs: [self], saved: [out])
    }

    public func exp() -> Tensor { unary(.exp) }
    public func log() -> Tensor { unary(.log) }
    public func sqrt() -> Tensor { unary(.sqrt) }
    public func rsqrt() -> Tensor { unary(.rsqrt) }
    public func tanh() -> Tensor { unary(.tanh) }
    public func sigmoid() -> Tensor { unary(.sigmoid) }
    /// max(x, 0); gradient 0 at x = 0 (as PyTorch).
    public func relu() -> Tensor { unary(.relu) }
    /// x·σ(x) (a.k.a. swish).
    public func silu() -> Tensor { unary(.silu) }
    /// GELU, exact (erf) form unless `approximateTanh` (PyTorch `approximate="tanh"`, GPT-2's gelu_new).
    public func gelu(approximateTanh: Bool = false) -> Tensor { unary(approximateTanh ? .geluTanh : .geluErf) }
    /// |x|; gradient 0 at x = 0.
    public func abs() -> Tensor { unary(.abs) }
    /// log(1 + eˣ), computed stably.
    public func softplus() -> Tensor { unary(.softplus) }
    /// log σ(x) = −softplus(−x).
    public func logSigmoid() -> Tensor { unary(.neg).unary(.softplus).unary(.neg) }
    public func square() -> Tensor { unary(.square) }
    public func reciprocal() -> Tensor { unary(.reciprocal) }
    public func pow(_ exponent: Float) -> Tensor { unary(.powScalar(exponent)) }
    /// Clamps into [min, max]; gradient passes where min ≤ x ≤ max.
    public func clamp(min: Float = -.infinity, max: Float = .infinity) -> Tensor { unary(.clamp(min, max)) }
}
