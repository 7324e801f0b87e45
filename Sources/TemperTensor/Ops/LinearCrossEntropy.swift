import Foundation

/// Cross-entropy of the logits x·Wᵀ against `targets`, without a [rows × vocab] tensor: the
/// counted rows (target ≠ `ignoreIndex`) go through the vocabulary projection in chunks of a
/// few megabytes, forward (log Σ exp and the loss) and again in the backward pass (softmax
/// − one-hot, then dx = d·W and dW += dᵀ·x). The backward pass pays one more projection of
/// the counted rows; no logits outlive their chunk and ignored rows cost nothing. Equal to
/// `crossEntropy(linear(x, weight: W), …)` up to float rounding (tested). A logit lens over
/// L layers otherwise keeps L logit tensors alive until the backward pass.
/// `reduction` is `.sum` or `.mean` (over counted rows; 0 when none counts).
public func linearCrossEntropy(_ x: Tensor, weight: Tensor, targets: [Int], ignoreIndex: Int = -100,
                               reduction: Reduction = .mean) throws -> Tensor {
    guard x.rank >= 1, weight.rank == 2, x.shape[x.rank - 1] == weight.shape[1], weight.shape[0] > 0 else {
        throw TensorError.shapeMismatch(op: "linearCrossEntropy", lhs: x.shape, rhs: weight.shape)
    }
    guard reduction != .none else {
        throw TensorError.invalidArgument(op: "linearCrossEntropy", reason: "reduction must be .sum or .mean")
    }
    let (vocab, hidden) = (weight.shape[0], weight.shape[1])
    let rows = hidden == 0 ? x.shape.dropLast().reduce(1, *) : x.count / hidden
    guard targets.count == rows else {
        throw TensorError.countMismatch(op: "linearCrossEntropy targets for x \(x.shape)", expected: rows, actual: targets.count)
    }
    for target in targets where target != ignoreIndex && (target < 0 || target >= vocab) {
        throw TensorError.indexOutOfRange(op: "linearCrossEntropy target", index: target, bound: vocab)
    }
    try BLAS.check(rows, hidden, vocab, op: "linearCrossEntropy", shape: x.shape)
    let plan = LinearCrossEntropyPlan(targets: targets, ignoreIndex: ignoreIndex, vocab: vocab, hidden: hidden)
    let lse = Tensor.empty([Swift.max(plan.counted.count, 1)])
    var total: Double = 0
    plan.forEachChunk(x: x.pointer, weight: weight.pointer) { chunk, logits, rowTargets in
        let loss = UnsafeMutablePointer<Float>.allocate(capacity: rowTargets.count)
        defer { loss.deallocate() }
        CrossEntropyKernels.forward(logits, targets: rowTargets, ignoreIndex: ignoreIndex, vocab: vocab,
                                    lse: lse.pointer + chunk.lowerBound, loss: loss)
        for r in 0..<rowTargets.count { total += Double(loss[r]) }
    }
    let count = plan.counted.count
    let value = reduction == .sum ? total : (count == 0 ? 0 : total / Double(count))
    let op = Op.linearCrossEntropy(targets: targets, ignoreIndex: ignoreIndex, reduction: reduction)
    return Tensor.record(op, Tensor(scalar: Float(value)), inputs: [x, weight], saved: [lse])
}

/// The counted rows of one `linearCrossEntropy` call and how they are cut into chunks.
struct LinearCrossEntropyPlan {
    /// Row indices (into x) whose target counts, in order.
    let counted: [Int]
    let targets: [Int]
    let vocab: Int, hidden: Int
    /// Rows per chunk: about 4 M logits (16 MB), at least one row.
    var chunkRows: Int { Swift.max(1, Swift.min(counted.count, (4 << 20) / Swift.max(vocab, 1))) }

    init(targets: [Int], ignoreIndex: Int, vocab: Int, hidden: Int) {
        counted = targets.indices.filter { targets[$0] != ignoreIndex }
        self.targets = targets
        (self.vocab, self.hidden) = (vocab, hidden)
    }

    /// For each chunk of counted rows: gathers their x rows, projects them onto the
    /// vocabulary, and calls `body(range in counted, logits [rows × vocab], their targets)`
    /// with the gathered rows still in `gathered` for the caller's use.
    func forEachChunk(x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                      _ body: (Range<Int>, UnsafeMutablePointer<Float>, [Int]) -> Void) {
        forEachChunk(x: x, weight: weight) { range, logits, rowTargets, _ in body(range, logits, rowTargets) }
    }

    func forEachChunk(x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                      _ body: (Range<Int>, UnsafeMutablePointer<Float>, [Int], UnsafePointer<Float>) -> Void) {
        guard !counted.isEmpty else { return }
        let size = chunkRows
        let gathered = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(size * hidden, 1))
        let logits = UnsafeMutablePointer<Float>.allocate(capacity: size * vocab)
        defer { gathered.deallocate(); logits.deallocate() }
        var start = 0
        while start < counted.count {
            let range = start..<Swift.min(counted.count, start + size)
            for (i, row) in counted[range].enumerated() {
                (gathered + i * hidden).update(from: x + row * hidden, count: hidden)
            }
            BLAS.gemm(transA: false, transB: true, m: range.count, n: vocab, k: hidden, alpha: 1,
                      a: gathered, lda: Swift.max(hidden, 1), b: weight, ldb: Swift.max(hidden, 1),
                      beta: 0, c: logits, ldc: vocab)
            body(range, logits, counted[range].map { targets[$0] }, UnsafePointer(gathered))
            start = range.upperBound
        }
    }

    /// dx (zero on uncounted rows) and dW for an upstream gradient `coef` per counted row.
    func backward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, lse: UnsafePointer<Float>, coef: Float,
                  dx: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>?) {
        let d = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(chunkRows * hidden, 1))
        defer { d.deallocate() }
        forEachChunk(x: x, weight: weight) { range, logits, rowTargets, gathered in
            // logits → coef·(softmax − one-hot), in place.
            CrossEntropyKernels.backward(logits, targets: rowTargets, ignoreIndex: -1, vocab: vocab,
                                         lse: lse + range.lowerBound, coef: { _ in coef }, dx: logits)
            if let dx {
                BLAS.gemm(transA: false, transB: false, m: range.count, n: hidden, k: vocab, alpha: 1,
                          a: logits, lda: vocab, b: weight, ldb: Swift.max(hidden, 1), beta: 0, c: d, ldc: Swift.max(hidden, 1))
                for (i, row) in counted[range].enumerated() {
                    (dx + row * hidden).update(from: d + i * hidden, count: hidden)
                }
            }
            if let dWeight {
                BLAS.gemm(transA: true, transB: false, m: vocab, n: hidden, k: range.count, alpha: 1,
                          a: logits, lda: vocab, b: gathered, ldb: Swift.max(hidden, 1), beta: 1, c: dWeight, ldc: Swift.max(hidden, 1))
            }
        }
    }
}
