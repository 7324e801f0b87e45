/// How per-token losses combine.
public enum Reduction: Sendable, Equatable {
    /// Mean over non-ignored tokens (0 when every token is ignored; PyTorch gives NaN).
    case mean
    /// Sum over tokens.
    case sum
    /// One value per token, 0 at ignored tokens; shape = logits shape without the last axis.
    case none
}

/// Cross-entropy of `logits` [..., V] against integer `targets` (one per row), fused with
/// log-softmax. Rows whose target equals `ignoreIndex` contribute nothing.
public func crossEntropy(_ logits: Tensor, targets: [Int], ignoreIndex: Int = -100,
                         reduction: Reduction = .mean) throws -> Tensor {
    guard let vocab = logits.shape.last, vocab > 0 else {
        throw TensorError.invalidShape(op: "crossEntropy logits", shape: logits.shape, reason: "needs a non-empty last axis")
    }
    let rows = logits.count / vocab
    guard targets.count == rows else {
        throw TensorError.countMismatch(op: "crossEntropy targets for logits \(logits.shape)", expected: rows, actual: targets.count)
    }
    for target in targets where target != ignoreIndex && (target < 0 || target >= vocab) {
        throw TensorError.indexOutOfRange(op: "crossEntropy target", index: target, bound: vocab)
    }
    let lse = Tensor.empty([rows]), perRow = Tensor.empty(Array(logits.shape.dropLast()))
    CrossEntropyKernels.forward(logits.pointer, targets: targets, ignoreIndex: ignoreIndex, vocab: vocab,
                                lse: lse.pointer, loss: perRow.pointer)
    let out: Tensor
    switch reduction {
    case .none:
        out = perRow
    case .sum, .mean:
        var total: Double = 0
        for r in 0..<rows { total += Double(perRow.pointer[r]) }
        let valid = targets.reduce(0) { $0 + ($1 == ignoreIndex ? 0 : 1) }
        let value = reduction == .sum ? total : (valid == 0 ? 0 : total / Double(valid))
        out = Tensor(scalar: Float(value))
    }
    let op = Op.crossEntropy(targets: targets, ignoreIndex: ignoreIndex, reduction: reduction)
    return Tensor.record(op, out, inputs: [logits], saved: [lse])
}

/// log p(target) per row (0 at ignored rows): −crossEntropy(reduction: .none). Sum over a
/// sequence's response tokens for sequence log-probabilities (NPO, DPO-style losses).
public func tokenLogProbabilities(_ logits: Tensor, targets: [Int], ignoreIndex: Int = -100) throws -> Tensor {
    -(try crossEntropy(logits, targets: targets, ignoreIndex: ignoreIndex, reduction: .none))
}

/// Mean squared error over all elements (shapes must match).
public func mseLoss(_ prediction: Tensor, _ target: Tensor) throws -> Tensor {
    guard prediction.shape == target.shape else {
        throw TensorError.shapeMismatch(op: "mseLoss", lhs: prediction.shape, rhs: target.shape)
    }
    return try (prediction - target).square().mean()
}

/// Targets with every position where `mask` is false replaced by `ignoreIndex`.
public func maskedTargets(_ targets: [Int], mask: [Bool], ignoreIndex: Int = -100) throws -> [Int] {
    guard targets.count == mask.count else {
        throw TensorError.countMismatch(op: "maskedTargets", expected: targets.count, actual: mask.count)
    }
    return zip(targets, mask).map { $1 ? $0 : ignoreIndex }
}
