/// Inverted dropout: zeroes each element with probability `p` and scales the rest by
/// 1/(1−p). Built from `mul` with a constant mask, so it needs no backward rule.
public func dropout(_ x: Tensor, p: Float, rng: inout TensorRNG) throws -> Tensor {
    guard p >= 0, p <= 1 else { throw TensorError.invalidArgument(op: "dropout", reason: "p = \(p) is outside [0, 1]") }
    if p == 0 { return x }
    let keep = p == 1 ? 0 : 1 / (1 - p)
    let mask = Tensor.empty(x.shape)
    for i in 0..<x.count { mask.pointer[i] = rng.nextFloat() < p ? 0 : keep }
    return try x * mask
}
