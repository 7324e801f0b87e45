import TemperTensor

/// Residual-stream points are numbered as Hugging Face's `hidden_states`:
///
///     index 0      the embedding output (token + position embeddings), before block 0
///     index l + 1  the output of block l (0-based), after both residual adds
///
/// so a model with L blocks has L + 1 points, 0...L. (Code that numbers decoder layers
/// from 0 and calls the embedding "layer −1" maps layer l to index l + 1.) Unlike
/// `hidden_states` in transformers, index L is the raw residual of the last block; the
/// final-normed states are `ModelOutput.finalHidden`.
public enum ResidualIndex {
    public static let embedding = 0
    /// The point after block `layer` (0-based).
    public static func afterBlock(_ layer: Int) -> Int { layer + 1 }
}

/// What a forward pass records and changes, for the safety transforms (RepNoise, RMU, LAT,
/// logit-lens audits). Everything stays in the autograd graph: captured tensors can be put
/// into losses, and perturbations that require grad receive gradients.
public struct ForwardOptions {
    /// Which positions get logits.
    public enum Logits: Sendable, Equatable {
        /// Every position: [batch, length, vocab].
        case all
        /// The last position of each row: [batch, 1, vocab] (generation).
        case last
        /// None (hidden states only).
        case none
    }

    /// Capture the residual stream at every point 0...L (`ModelOutput.residuals`).
    public var captureResiduals: Bool
    /// Capture each block's MLP output before it is added to the residual
    /// (`ModelOutput.mlpOutputs`, one per block).
    public var captureMLPOutputs: Bool
    /// Capture each block's MLP gate pre-activation (Llama `gate_proj(x)`, GPT-2 `c_fc(x)`),
    /// [batch, length, intermediate] (`ModelOutput.mlpGates`): the units whose sign pattern
    /// a degeneracy audit compares.
    public var captureMLPGates: Bool = false
    /// Capture each block's attention output (after its output projection, before the
    /// residual add), [batch, length, hidden] (`ModelOutput.attentionOutputs`, one per block).
    public var captureAttentionOutputs: Bool = false
    /// Start the pass at a residual point with a given tensor instead of the embedding:
    /// blocks before `index` are skipped (a per-section run, as interaction-basis audits
    /// need). Captured residuals then begin at `index`. Not allowed with a KV cache.
    public var start: ResidualStart?
    /// Tensors added to the residual stream, keyed by residual index (see `ResidualIndex`).
    /// Each must broadcast to [batch, length, hidden] without changing that shape (a full
    /// [batch, length, hidden] δ, [1, length, hidden], [hidden], …). The addition happens
    /// before capture, so captured residuals include the perturbation.
    public var perturbations: [Int: Tensor]
    /// Run blocks 0...stopAfterBlock only: no final norm and no logits (RMU, probes).
    public var stopAfterBlock: Int?
    public var logits: Logits

    public init(captureResiduals: Bool = false, captureMLPOutputs: Bool = false, perturbations: [Int: Tensor] = [:],
                stopAfterBlock: Int? = nil, logits: Logits = .all) {
        self.captureResiduals = captureResiduals
        self.captureMLPOutputs = captureMLPOutputs
        self.perturbations = perturbations
        self.stopAfterBlock = stopAfterBlock
        self.logits = logits
    }
}

/// The residual stream [batch, length, hidden] at point `index` (see `ResidualIndex`).
public struct ResidualStart {
    public var index: Int
    public var value: Tensor
    public init(index: Int, value: Tensor) {
        self.index = index
        self.value = value
    }
}

/// Results of a forward pass. Decoder models fill `finalHidden` with the final-normed
/// states (encoders: the last block's output) and `logits` unless disabled or stopped early.
public struct ModelOutput {
    /// [batch, length, vocab] (or [batch, 1, vocab] with `.last`); nil with `.none` or `stopAfterBlock`.
    public var logits: Tensor?
    /// [batch, length, hidden]: final norm applied (decoders); nil when stopped early.
    public var finalHidden: Tensor?
    /// Residual stream at points 0...L (or 0...stopAfterBlock + 1) when captured.
    public var residuals: [Tensor]
    /// Each block's MLP output when captured.
    public var mlpOutputs: [Tensor]
    /// Each block's MLP gate pre-activation when captured.
    public var mlpGates: [Tensor] = []
    /// Each block's attention output when captured (decoders).
    public var attentionOutputs: [Tensor] = []

    /// The residual after block `layer` (0-based), when captured.
    public func residual(afterBlock layer: Int) -> Tensor? {
        let i = ResidualIndex.afterBlock(layer)
        return residuals.indices.contains(i) ? residuals[i] : nil
    }
}

/// Applies perturbations and captures along one forward pass; the decoders' one block loop
/// (`DecoderStack`) and BERT's encoder loop go through it, so the conventions above hold for all.
struct HookRunner {
    let options: ForwardOptions
    let shape: [Int]
    /// Index of the last block run.
    let lastBlock: Int
    private(set) var residuals: [Tensor] = []
    private(set) var mlpOutputs: [Tensor] = []
    private(set) var mlpGates: [Tensor] = []
    private(set) var attentionOutputs: [Tensor] = []
    /// Index of the first block run (0 unless the pass starts later).
    let firstBlock: Int

    init(_ options: ForwardOptions, layerCount: Int, batch: Int, length: Int, hidden: Int, usesCache: Bool = false) throws {
        self.options = options
        shape = [batch, length, hidden]
        if let stop = options.stopAfterBlock, !(0..<layerCount).contains(stop) {
            throw ModelError.invalidInput(reason: "stopAfterBlock \(stop) is not a block index 0..<\(layerCount)")
        }
        lastBlock = options.stopAfterBlock ?? layerCount - 1
        firstBlock = options.start?.index ?? 0
        if let start = options.start {
            guard (0...(lastBlock + 1)).contains(start.index) else {
                throw ModelError.invalidInput(reason: "start at residual index \(start.index): the forward pass has points 0...\(lastBlock + 1)")
            }
            guard start.value.shape == shape else {
                throw ModelError.invalidInput(reason: "start residual has shape \(start.value.shape), expected \(shape)")
            }
            guard !usesCache else { throw ModelError.invalidInput(reason: "a pass that starts at a residual point cannot use a KV cache") }
        }
        for (index, delta) in options.perturbations {
            guard (0...(lastBlock + 1)).contains(index) else {
                throw ModelError.invalidInput(reason: "perturbation at residual index \(index): the forward pass has points 0...\(lastBlock + 1)")
            }
            guard Broadcast.shape(delta.shape, shape) == shape else {
                throw ModelError.invalidInput(reason: "perturbation at residual index \(index) has shape \(delta.shape), does not broadcast to the residual stream \(shape)")
            }
        }
    }

    /// Residual point `index`: adds its perturbation, records it when capturing.
    mutating func residual(_ h: Tensor, index: Int) throws -> Tensor {
        var out = h
        if let delta = options.perturbations[index] { out = try h + delta }
        if options.captureResiduals { residuals.append(out) }
        return out
    }

    /// The first residual point: the start tensor when given, else the embedding.
    mutating func input(_ embedding: () throws -> Tensor) throws -> Tensor {
        if let start = options.start { return try residual(start.value, index: start.index) }
        return try residual(embedding(), index: ResidualIndex.embedding)
    }

    /// Whether block `layer` runs in this pass.
    func runs(block layer: Int) -> Bool { layer >= firstBlock && layer <= lastBlock }

    /// A block's attention output (before its residual add).
    mutating func attention(_ a: Tensor) {
        if options.captureAttentionOutputs { attentionOutputs.append(a) }
    }

    /// An MLP output without a gate capture (encoders).
    mutating func mlp(_ m: Tensor) {
        if options.captureMLPOutputs { mlpOutputs.append(m) }
    }

    mutating func mlp(_ m: Tensor, gate: Tensor) {
        if options.captureMLPOutputs { mlpOutputs.append(m) }
        if options.captureMLPGates { mlpGates.append(gate) }
    }

    /// Whether the pass continues past the blocks (final norm, logits).
    var runsToEnd: Bool { options.stopAfterBlock == nil }

    func output(finalHidden: Tensor?, logits: Tensor?) -> ModelOutput {
        ModelOutput(logits: logits, finalHidden: finalHidden, residuals: residuals, mlpOutputs: mlpOutputs, mlpGates: mlpGates,
                    attentionOutputs: attentionOutputs)
    }
}

/// NumPy broadcasting of two shapes, nil when they do not broadcast.
enum Broadcast {
    static func shape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = max(a.count, b.count)
        var out = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            guard da == db || da == 1 || db == 1 else { return nil }
            out[i] = da == 1 ? db : da
        }
        return out
    }
}
