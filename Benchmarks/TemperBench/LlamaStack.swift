import TemperTensor

/// Shapes of one training benchmark (issue 5): a Llama-style decoder stack.
struct LlamaBenchConfig {
    let name: String
    let hidden: Int, layers: Int, heads: Int, kvHeads: Int, intermediate: Int
    let seq: Int, batch: Int, vocab: Int
    var headDim: Int { hidden / heads }
    var tokens: Int { seq * batch }

    static func named(_ name: String) throws -> LlamaBenchConfig {
        switch name {
        case "a": return LlamaBenchConfig(name: "a", hidden: 128, layers: 4, heads: 4, kvHeads: 2, intermediate: 352,
                                          seq: 64, batch: 16, vocab: 320)
        case "b": return LlamaBenchConfig(name: "b", hidden: 512, layers: 8, heads: 8, kvHeads: 8, intermediate: 1376,
                                          seq: 128, batch: 8, vocab: 4096)
        // SmolLM2-135M's shape (untied lm_head here): 30 layers, hidden 576, GQA 9/3, vocab 49152.
        case "c": return LlamaBenchConfig(name: "c", hidden: 576, layers: 30, heads: 9, kvHeads: 3, intermediate: 1536,
                                          seq: 128, batch: 4, vocab: 49152)
        default: throw BenchError.usage("--config must be a, b or c, got '\(name)'")
        }
    }

    /// Weights that take part in matrix products (every linear incl. lm_head; not the
    /// embedding table, which is a gather, nor the norm weights).
    var matmulParameters: Int {
        let attention = hidden * heads * headDim + 2 * hidden * kvHeads * headDim + heads * headDim * hidden
        return layers * (attention + 3 * hidden * intermediate) + hidden * vocab
    }

    var totalParameters: Int { matmulParameters + vocab * hidden + (2 * layers + 1) * hidden }

    /// Forward FLOPs per step: 2·N·tokens for the linears plus 4·L·H·D·T·tokens for the two
    /// attention products (QKᵀ and PV, full T×T as computed). Training = 3× this (PaLM's
    /// 6·N + 12·L·H·D·T per token).
    var forwardFLOPs: Double {
        2 * Double(matmulParameters) * Double(tokens) + 4 * Double(layers * heads * headDim * seq) * Double(tokens)
    }
    var trainingFLOPs: Double { 3 * forwardFLOPs }

    var summary: [String: Any] {
        ["name": name, "hidden": hidden, "layers": layers, "heads": heads, "kv_heads": kvHeads, "intermediate": intermediate,
         "seq": seq, "batch": batch, "vocab": vocab, "parameters": totalParameters, "matmul_parameters": matmulParameters]
    }
}

/// Accumulates wall time per label when enabled (forward-pass breakdown with `--profile 1`).
final class SectionTimer {
    var enabled = false
    private(set) var totals: [String: Double] = [:]

    func callAsFunction<T>(_ label: String, _ body: () throws -> T) rethrows -> T {
        guard enabled else { return try body() }
        let start = Measure.now()
        defer { totals[label, default: 0] += Measure.now() - start }
        return try body()
    }

    func reset() { totals = [:] }
}

/// Embedding → N × [RMSNorm → q/k/v → RoPE → causal GQA attention → o → residual → RMSNorm →
/// SwiGLU → residual] → RMSNorm → lm_head → cross-entropy, built from TemperTensor ops only.
/// Weights are random (normal, std 0.02; norms 1), as in a freshly initialised Llama.
final class LlamaStack {
    struct Block {
        let attnNorm: Tensor, wq: Tensor, wk: Tensor, wv: Tensor, wo: Tensor
        let mlpNorm: Tensor, gate: Tensor, up: Tensor, down: Tensor
        var parameters: [Tensor] { [attnNorm, wq, wk, wv, wo, mlpNorm, gate, up, down] }
    }

    let config: LlamaBenchConfig
    let embed: Tensor, blocks: [Block], finalNorm: Tensor, lmHead: Tensor
    let rope: RoPETable
    let timer = SectionTimer()
    static let eps: Float = 1e-5

    init(_ c: LlamaBenchConfig, rng: inout TensorRNG) throws {
        config = c
        func weight(_ rows: Int, _ cols: Int) throws -> Tensor { try Tensor.randn([rows, cols], std: 0.02, rng: &rng, requiresGrad: true) }
        func norm() throws -> Tensor { try Tensor.ones([c.hidden], requiresGrad: true) }
        embed = try weight(c.vocab, c.hidden)
        var blocks: [Block] = []
        for _ in 0..<c.layers {
            blocks.append(Block(attnNorm: try norm(), wq: try weight(c.heads * c.headDim, c.hidden),
                                wk: try weight(c.kvHeads * c.headDim, c.hidden), wv: try weight(c.kvHeads * c.headDim, c.hidden),
                                wo: try weight(c.hidden, c.heads * c.headDim), mlpNorm: try norm(),
                                gate: try weight(c.intermediate, c.hidden), up: try weight(c.intermediate, c.hidden),
                                down: try weight(c.hidden, c.intermediate)))
        }
        self.blocks = blocks
        finalNorm = try norm()
        lmHead = try weight(c.vocab, c.hidden)
        rope = try RoPETable(rotaryDim: c.headDim, theta: 10_000, positions: Array(0..<c.seq))
    }

    var parameters: [Tensor] { [embed] + blocks.flatMap(\.parameters) + [finalNorm, lmHead] }

    /// Mean next-token cross-entropy of `ids` [batch·seq] against `targets` [batch·seq].
    func loss(ids: [Int], targets: [Int]) throws -> Tensor {
        let c = config, (b, t) = (c.batch, c.seq)
        var x = try timer("embedding") { try embedding(embed, ids: ids, shape: [b, t]) }
        for block in blocks {
            let h = try timer("rmsnorm") { try x.rmsNorm(weight: block.attnNorm, eps: Self.eps) }
            let q = try timer("linear q/k/v") { try linear(h, weight: block.wq).reshape([b, t, c.heads, c.headDim]) }
            let k = try timer("linear q/k/v") { try linear(h, weight: block.wk).reshape([b, t, c.kvHeads, c.headDim]) }
            let v = try timer("linear q/k/v") { try linear(h, weight: block.wv).reshape([b, t, c.kvHeads, c.headDim]) }
            let (qr, kr) = try timer("rope") { (try q.rope(rope), try k.rope(rope)) }
            let attended = try timer("attention") {
                try scaledDotProductAttention(query: qr, key: kr, value: v, causal: true).reshape([b, t, c.heads * c.headDim])
            }
            let projected = try timer("linear o") { try linear(attended, weight: block.wo) }
            x = try timer("residual add") { try x + projected }
            let m = try timer("rmsnorm") { try x.rmsNorm(weight: block.mlpNorm, eps: Self.eps) }
            let gate = try timer("linear gate/up") { try linear(m, weight: block.gate) }
            let up = try timer("linear gate/up") { try linear(m, weight: block.up) }
            let activated = try timer("silu * up") { try gate.silu() * up }
            let down = try timer("linear down") { try linear(activated, weight: block.down) }
            x = try timer("residual add") { try x + down }
        }
        let normed = try timer("rmsnorm") { try x.rmsNorm(weight: finalNorm, eps: Self.eps) }
        let logits = try timer("lm_head") { try linear(normed, weight: lmHead).reshape([b * t, c.vocab]) }
        return try timer("cross-entropy") { try crossEntropy(logits, targets: targets) }
    }
}
