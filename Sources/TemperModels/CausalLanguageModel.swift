import TemperFormats
import TemperTensor

/// What every decoder-only model offers (Llama family, GPT-2): a forward pass with hooks,
/// the logit lens, its parameters by Hugging Face name, a KV cache for generation.
public protocol CausalLanguageModel: AnyObject {
    /// The config's `model_type`.
    var modelType: String { get }
    var vocabSize: Int { get }
    var hiddenSize: Int { get }
    /// Number of decoder blocks L (residual indices run 0...L).
    var layerCount: Int { get }
    /// The longest sequence the model accepts (learned positions), nil when unbounded.
    var maxPositions: Int? { get }
    var bosTokenId: Int? { get }
    var eosTokenIds: [Int] { get }
    /// Every parameter, in loading order (embeddings, blocks in order, final norm, head).
    var parameters: [ModelParameter] { get }
    /// Where the weights came from (to save the model back the same way).
    var source: ModelSource { get }
    /// The `nn.Linear` modules by Hugging Face module name, where LoRA adapters attach
    /// (empty for architectures without them, e.g. GPT-2's Conv1D).
    var linearModules: [LinearModule] { get }

    /// The forward pass. With a `cache`, positions continue after the cached ones and the
    /// new keys/values are appended (an attention mask is not allowed then).
    func forward(_ tokens: TokenBatch, options: ForwardOptions, cache: KVCache?) throws -> ModelOutput

    /// The logit lens of a residual-stream tensor h [..., hidden] before its projection:
    /// final_norm(h) and the lm_head weight [vocab, hidden] (no bias in any architecture here).
    func lensProjection(_ hidden: Tensor) throws -> (input: Tensor, head: Tensor)

    /// The lm_head weight [vocab, hidden] that maps the final-normed states to logits.
    var lmHeadWeight: Tensor { get }
}

extension CausalLanguageModel {
    public var linearModules: [LinearModule] { [] }

    /// lm_head(final_norm(h)) for a residual-stream tensor h [..., hidden].
    public func logitLens(_ hidden: Tensor) throws -> Tensor {
        let projection = try lensProjection(hidden)
        return try linear(projection.input, weight: projection.head)
    }

    /// Cross-entropy of the logit lens of h against `targets` (one per position), without
    /// materializing the [positions × vocab] logits (`linearCrossEntropy`).
    public func logitLensCrossEntropy(_ hidden: Tensor, targets: [Int], ignoreIndex: Int = -100,
                                      reduction: Reduction = .mean) throws -> Tensor {
        let projection = try lensProjection(hidden)
        return try linearCrossEntropy(projection.input, weight: projection.head, targets: targets,
                                      ignoreIndex: ignoreIndex, reduction: reduction)
    }

    /// Plain forward: logits at every position.
    public func forward(_ tokens: TokenBatch, options: ForwardOptions = ForwardOptions()) throws -> ModelOutput {
        try forward(tokens, options: options, cache: nil)
    }

    /// Logits [batch, length, vocab].
    public func logits(_ tokens: TokenBatch) throws -> Tensor {
        guard let logits = try forward(tokens).logits else { throw ModelError.invalidInput(reason: "no logits computed") }
        return logits
    }

    public func makeCache(batchSize: Int = 1) -> KVCache { KVCache(layerCount: layerCount, batchSize: batchSize) }

    /// Response-only causal LM loss of a batch whose `labels` (row-major, -100 = no loss)
    /// are aligned with the inputs, as in transformers (logits at t predict labels[t + 1]).
    ///
    /// The logits are not materialized: the labelled positions' final states go through the
    /// lm_head in chunks (`linearCrossEntropy`; a [positions × vocab] tensor and its gradient
    /// were most of a big-vocabulary model's activation memory), so `output.logits` is nil
    /// unless `keepLogits` asks for them (then the plain cross-entropy of those logits).
    public func loss(_ tokens: TokenBatch, labels: [Int], options: ForwardOptions = ForwardOptions(),
                     keepLogits: Bool = false) throws -> (loss: Tensor, output: ModelOutput) {
        if keepLogits {
            var all = options
            all.logits = .all
            let output = try forward(tokens, options: all)
            guard let logits = output.logits else { throw ModelError.invalidInput(reason: "loss needs logits at every position") }
            return (try LanguageModelLoss.causal(logits: logits, labels: labels), output)
        }
        var fused = options
        fused.logits = .none
        let output = try forward(tokens, options: fused)
        guard let final = output.finalHidden else { throw ModelError.invalidInput(reason: "loss needs the final hidden states") }
        let targets = try LanguageModelLoss.shiftedTargets(labels: labels, batchSize: tokens.batchSize, length: tokens.length)
        let loss = try linearCrossEntropy(final, weight: lmHeadWeight, targets: targets,
                                          ignoreIndex: LanguageModelLoss.ignoreIndex, reduction: .mean)
        return (loss, output)
    }

    /// Count of parameter elements.
    public var parameterCount: Int { parameters.elementCount }
}

/// Losses over next-token predictions. Labels follow transformers' convention: aligned
/// with the input ids, -100 where no loss is taken; logits at position t are scored
/// against labels[t + 1] and the last position of each row against nothing.
public enum LanguageModelLoss {
    public static let ignoreIndex = -100

    /// Targets per logits row: labels shifted left by one within each row.
    public static func shiftedTargets(labels: [Int], batchSize: Int, length: Int) throws -> [Int] {
        guard batchSize > 0, labels.count == batchSize * length else {
            throw ModelError.invalidInput(reason: "\(labels.count) labels for a batch of \(batchSize) × \(length)")
        }
        var targets = [Int](repeating: ignoreIndex, count: labels.count)
        for row in 0..<batchSize where length > 1 {
            let base = row * length
            for t in 0..<(length - 1) { targets[base + t] = labels[base + t + 1] }
        }
        return targets
    }

    /// Mean cross-entropy over labelled tokens (0 when there are none) of logits
    /// [batch, length, vocab]; the shift needs no copy of the logits.
    public static func causal(logits: Tensor, labels: [Int], reduction: Reduction = .mean) throws -> Tensor {
        let (batch, length) = try dims(logits)
        let targets = try shiftedTargets(labels: labels, batchSize: batch, length: length)
        return try crossEntropy(logits, targets: targets, ignoreIndex: ignoreIndex, reduction: reduction)
    }

    /// Σ log p(label) over each row's labelled tokens: [batch] (NPO, DPO-style losses).
    public static func sequenceLogProbabilities(logits: Tensor, labels: [Int]) throws -> Tensor {
        let (batch, length) = try dims(logits)
        let targets = try shiftedTargets(labels: labels, batchSize: batch, length: length)
        let perToken = try tokenLogProbabilities(logits, targets: targets, ignoreIndex: ignoreIndex)
        return try perToken.reshape([batch, length]).sum(axis: 1)
    }

    private static func dims(_ logits: Tensor) throws -> (Int, Int) {
        guard logits.rank == 3 else {
            throw ModelError.invalidInput(reason: "logits must be [batch, length, vocab], got \(logits.shape)")
        }
        return (logits.shape[0], logits.shape[1])
    }
}
