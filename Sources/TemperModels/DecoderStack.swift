import TemperTensor

/// What one decoder block returns to the shared stack: its output after both residual adds,
/// and the three named hook sites inside it.
struct BlockOutput {
    /// The residual stream after the block (x + attn + mlp).
    var output: Tensor
    /// The attention sublayer's output before its residual add (after the output projection).
    var attention: Tensor
    /// The MLP sublayer's output before its residual add.
    var mlp: Tensor
    /// The MLP gate pre-activation (Llama `gate_proj(x)`, GPT-2 `c_fc(x)`).
    var gate: Tensor
}

/// A pre-norm decoder block as the shared stack runs it. `Context` is what every block of an
/// architecture needs besides its input (rotary table, key mask, KV cache): built once per pass.
protocol DecoderBlock {
    associatedtype Context
    func callAsFunction(_ x: Tensor, _ context: Context, layer: Int) throws -> BlockOutput
}

/// The one block loop of every decoder architecture (Llama family, GPT-2). Named hook sites,
/// numbered as `ResidualIndex`:
///
///     embedding            residual point 0 (token + position embeddings)
///     attention output l   `ModelOutput.attentionOutputs[l]` (captureAttentionOutputs)
///     MLP output l         `ModelOutput.mlpOutputs[l]` and its gate (captureMLPOutputs/Gates)
///     residual after l     residual point l + 1 (captureResiduals, perturbations)
///
/// `ForwardOptions.start` begins the loop at a residual point with a given tensor, so a caller
/// that perturbs point l (latent adversarial training, per-section audits) runs blocks l...L−1
/// only; `stopAfterBlock` ends it early. The architecture supplies the embedding and the head.
struct DecoderStack<Block: DecoderBlock> {
    let blocks: [Block]
    let hiddenSize: Int

    /// Runs embedding → blocks → final norm → logits with the hooks of `options`.
    /// `embed` is called only when the pass starts at the embedding; `head` maps the last
    /// residual to (final-normed states, logits) and is skipped when the pass stops early.
    func forward(_ tokens: TokenBatch, options: ForwardOptions, cache: KVCache?, context: Block.Context,
                 embed: () throws -> Tensor, head: (Tensor) throws -> (final: Tensor, logits: Tensor?)) throws -> ModelOutput {
        var hooks = try HookRunner(options, layerCount: blocks.count, batch: tokens.batchSize, length: tokens.length,
                                   hidden: hiddenSize, usesCache: cache != nil)
        var h = try hooks.input(embed)
        for (l, block) in blocks.enumerated() where hooks.runs(block: l) {
            let out = try block(h, context, layer: l)
            hooks.attention(out.attention)
            hooks.mlp(out.mlp, gate: out.gate)
            h = try hooks.residual(out.output, index: ResidualIndex.afterBlock(l))
        }
        cache?.advance(by: tokens.length)
        guard hooks.runsToEnd else { return hooks.output(finalHidden: nil, logits: nil) }
        let (final, logits) = try head(h)
        return hooks.output(finalHidden: final, logits: logits)
    }
}
