import Testing
@testable import TemperTensor

/// Compares autograd gradients of f(inputs) with central finite differences, all in f32.
/// The output is projected onto fixed random weights (loss = Σ out ⊙ w) so every output
/// element matters. Tolerance per element: |analytic − numeric| ≤ atol + rtol·|numeric|.
/// Defaults (eps 1e-2, rtol 2e-2, atol 2e-3) cover f32 rounding of the loss (~1e-6/eps)
/// and the O(eps²) truncation error for inputs of order 1.
func checkGradients(_ inputs: [Tensor], eps: Float = 1e-2, rtol: Float = 2e-2, atol: Float = 2e-3,
                    sourceLocation: SourceLocation = #_sourceLocation, _ f: ([Tensor]) throws -> Tensor) throws {
    for t in inputs { t.requiresGrad = true }
    let out = try f(inputs)
    var rng = TensorRNG(seed: 99)
    let w = try Tensor.randn(out.shape, rng: &rng)
    let analytic = try gradients(of: try (out * w).sum(), wrt: inputs)
    func loss() throws -> Float { try noGrad { try (f(inputs) * w).sum().item() } }
    for (k, t) in inputs.enumerated() {
        var numeric = [Float](repeating: 0, count: t.count)
        for i in 0..<t.count {
            let original = t.toArray()[i]
            t.withUnsafeMutableBufferPointer { $0[i] = original + eps }
            let plus = try loss()
            t.withUnsafeMutableBufferPointer { $0[i] = original - eps }
            let minus = try loss()
            t.withUnsafeMutableBufferPointer { $0[i] = original }
            numeric[i] = (plus - minus) / (2 * eps)
        }
        expectClose(analytic[k].toArray(), numeric, rtol: rtol, atol: atol, "finite-difference gradient of input \(k) \(t.shape)", sourceLocation)
    }
}

/// A random tensor for tests (normal, optionally shifted away from zero or made positive).
func randomTensor(_ shape: [Int], seed: UInt64, scale: Float = 1, positive: Bool = false, awayFromZero: Float = 0) throws -> Tensor {
    var rng = TensorRNG(seed: seed)
    let values = (0..<shape.reduce(1, *)).map { _ -> Float in
        var v = rng.nextNormal() * scale
        if positive { v = Swift.abs(v) + 0.2 }
        if awayFromZero > 0, Swift.abs(v) < awayFromZero { v = v < 0 ? v - awayFromZero : v + awayFromZero }
        return v
    }
    return try Tensor(shape: shape, values: values)
}
