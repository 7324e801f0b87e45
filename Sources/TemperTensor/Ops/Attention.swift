/// Scaled dot-product attention, fused: scores, masks, softmax and the value product run
/// per (batch, head) through sgemm, reading q/k/v in [batch, seq, heads, headDim] layout
/// directly (leading dimensions do the head striding, so no transposes are materialised).
struct AttentionConfig: Sendable {
    var causal: Bool
    /// Key padding mask, batch × keySeq, `true` = attend. Rows with no visible key give 0.
    var keyMask: [Bool]?
    var scale: Float
}

/// softmax(q·kᵀ·scale + masks)·v with grouped-query heads.
/// - q [B, T, Hq, D], k [B, S, Hkv, D], v [B, S, Hkv, Dv] with Hq a multiple of Hkv
///   (query head h reads kv head h / (Hq/Hkv), as Hugging Face `repeat_kv`).
/// - `causal`: query t sees keys j ≤ t + (S − T) (bottom-right aligned; T = S in training).
/// - `keyMask`: B × S flags, false for padding keys.
/// - Returns [B, T, Hq, Dv]; reshape to [B, T, Hq·Dv] for the output projection.
public func scaledDotProductAttention(query q: Tensor, key k: Tensor, value v: Tensor, causal: Bool = false,
                                      keyMask: [Bool]? = nil, scale: Float? = nil) throws -> Tensor {
    guard q.rank == 4, k.rank == 4, v.rank == 4 else {
        throw TensorError.shapeMismatch(op: "attention (q, k must be [B, T, H, D])", lhs: q.shape, rhs: k.shape)
    }
    let (b, t, hq, d) = (q.shape[0], q.shape[1], q.shape[2], q.shape[3])
    let (s, hkv) = (k.shape[1], k.shape[2])
    guard k.shape[0] == b, k.shape[3] == d, hkv > 0, hq % hkv == 0 else {
        throw TensorError.shapeMismatch(op: "attention q/k", lhs: q.shape, rhs: k.shape)
    }
    guard v.shape[0] == b, v.shape[1] == s, v.shape[2] == hkv else {
        throw TensorError.shapeMismatch(op: "attention k/v", lhs: k.shape, rhs: v.shape)
    }
    if let keyMask, keyMask.count != b * s {
        throw TensorError.countMismatch(op: "attention keyMask for [\(b), \(s)]", expected: b * s, actual: keyMask.count)
    }
    try BLAS.check(t, s, hq * d, hkv * d, hq * v.shape[3], op: "attention", shape: q.shape)
    let config = AttentionConfig(causal: causal, keyMask: keyMask, scale: scale ?? 1 / Float(d).squareRoot())
    let geometry = AttentionGeometry(q: q.shape, k: k.shape, v: v.shape)
    let probs = Tensor.empty([b, hq, t, s]), out = Tensor.empty([b, t, hq, geometry.dv])
    AttentionKernels.forward(geometry, config, q: q.pointer, k: k.pointer, v: v.pointer, probs: probs.pointer, out: out.pointer)
    return Tensor.record(.attention(config), out, inputs: [q, k, v], saved: [probs, out])
}

/// Additive mask for hand-built attention: 0 where query t may see key j, −∞ elsewhere.
/// Shape [T, S], bottom-right aligned like `scaledDotProductAttention`.
public func causalMask(queries t: Int, keys s: Int) throws -> Tensor {
    var values = [Float](repeating: 0, count: t * s)
    for i in 0..<t { for j in 0..<s where j > i + s - t { values[i * s + j] = -.infinity } }
    return try Tensor(shape: [t, s], values: values)
}

/// Additive key-padding mask [B, 1, 1, S] (0 = attend, −∞ = padding) from B × S flags.
public func keyPaddingMask(_ keep: [Bool], batch: Int, keys: Int) throws -> Tensor {
    guard keep.count == batch * keys else {
        throw TensorError.countMismatch(op: "keyPaddingMask [\(batch), \(keys)]", expected: batch * keys, actual: keep.count)
    }
    return try Tensor(shape: [batch, 1, 1, keys], values: keep.map { $0 ? 0 : -.infinity })
}
