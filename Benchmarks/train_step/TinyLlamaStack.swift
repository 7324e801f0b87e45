// Benchmark-only Llama-style decoder stack on TemperTensor (models proper live in TemperModels).
// embedding → N × [RMSNorm → attention (RoPE, GQA) → residual → RMSNorm → SwiGLU → residual]
// → RMSNorm → lm_head → cross-entropy; AdamW.
import TemperTensor

struct StackConfig {
    var name: String
    var hidden: Int, layers: Int, heads: Int, kvHeads: Int, intermediate: Int
    var seq: Int, batch: Int, vocab: Int
    var headDim: Int { hidden / heads }
}

final class DecoderLayer {
    let attnNorm, q, k, v, o, mlpNorm, gate, up, down: Tensor

    init(_ c: StackConfig, rng: inout TensorRNG) throws {
        func weight(_ shape: [Int]) throws -> Tensor { try Tensor.randn(shape, std: 0.02, rng: &rng, requiresGrad: true) }
        attnNorm = try Tensor.ones([c.hidden], requiresGrad: true)
        mlpNorm = try Tensor.ones([c.hidden], requiresGrad: true)
        q = try weight([c.heads * c.headDim, c.hidden])
        k = try weight([c.kvHeads * c.headDim, c.hidden])
        v = try weight([c.kvHeads * c.headDim, c.hidden])
        o = try weight([c.hidden, c.heads * c.headDim])
        gate = try weight([c.intermediate, c.hidden])
        up = try weight([c.intermediate, c.hidden])
        down = try weight([c.hidden, c.intermediate])
    }

    var parameters: [Tensor] { [attnNorm, q, k, v, o, mlpNorm, gate, up, down] }

    func callAsFunction(_ x: Tensor, _ c: StackConfig, rope: RoPETable) throws -> Tensor {
        let (b, t) = (c.batch, c.seq)
        let h = try x.rmsNorm(weight: attnNorm, eps: 1e-5)
        let qh = try linear(h, weight: q).reshape([b, t, c.heads, c.headDim]).rope(rope)
        let kh = try linear(h, weight: k).reshape([b, t, c.kvHeads, c.headDim]).rope(rope)
        let vh = try linear(h, weight: v).reshape([b, t, c.kvHeads, c.headDim])
        let attn = try scaledDotProductAttention(query: qh, key: kh, value: vh, causal: true).reshape([b, t, c.hidden])
        let x1 = try x + linear(attn, weight: o)
        let h2 = try x1.rmsNorm(weight: mlpNorm, eps: 1e-5)
        let mlp = try linear(try linear(h2, weight: gate).silu() * linear(h2, weight: up), weight: down)
        return try x1 + mlp
    }
}

final class TinyLlamaStack {
    let config: StackConfig
    let embed, finalNorm, lmHead: Tensor
    let layers: [DecoderLayer]
    let rope: RoPETable

    init(_ c: StackConfig, seed: UInt64) throws {
        var rng = TensorRNG(seed: seed)
        config = c
        embed = try Tensor.randn([c.vocab, c.hidden], std: 0.02, rng: &rng, requiresGrad: true)
        layers = try (0..<c.layers).map { _ in try DecoderLayer(c, rng: &rng) }
        finalNorm = try Tensor.ones([c.hidden], requiresGrad: true)
        lmHead = try Tensor.randn([c.vocab, c.hidden], std: 0.02, rng: &rng, requiresGrad: true)
        rope = try RoPETable(rotaryDim: c.headDim, theta: 10000, positions: Array(0..<c.seq))
    }

    var parameters: [Tensor] { [embed] + layers.flatMap(\.parameters) + [finalNorm, lmHead] }

    func loss(ids: [Int], targets: [Int]) throws -> Tensor {
        var x = try embedding(embed, ids: ids, shape: [config.batch, config.seq])
        for layer in layers { x = try layer(x, config, rope: rope) }
        let logits = try linear(x.rmsNorm(weight: finalNorm, eps: 1e-5), weight: lmHead)
        return try crossEntropy(logits.reshape([-1, config.vocab]), targets: targets)
    }
}
