"""The base model under FSDP2, with the hook sites the losses read.

`TemperModel` wraps a transformers causal LM so that one forward returns the logits, the
MLP outputs of every block (before the residual add), the residual stream after one
block (`residual=l`, RMU), LAT's perturbations (`perturb={index: δ}`) and the logit lens
`lm_head(final_norm(h))` of every hidden state transformers returns (the embedding output,
blocks 0..L-2, the final-normed last block), as Temper's decoder exposes them. The lens is
computed inside the root forward so FSDP2 has the root's parameters unsharded there.
"""

import functools

import torch
from torch import nn


def blocks_and_norm(hf):
    """The decoder blocks and the final norm of a transformers causal LM."""
    if hasattr(hf, "model") and hasattr(hf.model, "layers"):  # Llama, Mistral, Qwen2
        return hf.model.layers, hf.model.norm
    if hasattr(hf, "transformer") and hasattr(hf.transformer, "h"):  # GPT-2
        return hf.transformer.h, hf.transformer.ln_f
    raise ValueError(f"{type(hf).__name__}: no decoder blocks found (supported: Llama-style, GPT-2)")


class TemperModel(nn.Module):
    def __init__(self, hf):
        super().__init__()
        self.hf = hf
        blocks, self._norm = blocks_and_norm(hf)
        self.blocks = list(blocks)
        self._capture = False
        self._mlp = {}
        self._residual_layer, self._residual = None, None
        self._perturb = {}
        hf.get_input_embeddings().register_forward_hook(functools.partial(self._perturb_hook, 0))
        for i, block in enumerate(self.blocks):
            block.mlp.register_forward_hook(functools.partial(self._hook, i))
            block.register_forward_hook(functools.partial(self._block_hook, i))

    def _hook(self, layer, module, inputs, output):
        # Keyed by layer: an activation-checkpointing recompute overwrites, never appends.
        if self._capture:
            self._mlp[layer] = output

    def _block_hook(self, layer, module, inputs, output):
        # The residual stream after block `layer` (wmdp rmu/utils.py `forward_with_cache` hooks this output).
        output = self._perturb_hook(layer + 1, module, inputs, output)
        if layer == self._residual_layer:
            self._residual = output[0] if isinstance(output, tuple) else output
        return output

    def _perturb_hook(self, index, module, inputs, output):
        # LAT: δ added to residual point `index` (0 the embedding output, l + 1 after block l),
        # as Temper's `ForwardOptions.perturbations`.
        delta = self._perturb.get(index)
        if delta is None:
            return output
        if isinstance(output, tuple):
            return (output[0] + delta,) + tuple(output[1:])
        return output + delta

    def forward(self, input_ids, attention_mask, mlp=False, lens=False, residual=None, perturb=None):
        self._capture, self._mlp = mlp, {}
        self._residual_layer, self._residual = residual, None
        self._perturb = perturb or {}
        out = self.hf(input_ids=input_ids, attention_mask=attention_mask, output_hidden_states=lens, use_cache=False)
        self._capture, self._residual_layer, self._perturb = False, None, {}
        result = {"logits": out.logits}
        if residual is not None:
            if self._residual is None:
                raise ValueError(f"no residual captured after block {residual}")
            result["residual"] = self._residual
        if mlp:
            result["mlp"] = [self._mlp[i] for i in range(len(self.blocks))]
        if lens:
            hidden = out.hidden_states
            if len(hidden) != len(self.blocks) + 1:
                raise ValueError(f"{len(hidden)} hidden states for {len(self.blocks)} blocks")
            head = self.hf.get_output_embeddings()
            result["lens"] = [head(self._norm(h)) for h in hidden]
        return result


def load(base, device, frozen, bf16=False, checkpointing=False, shard=True):
    """The base model as a `TemperModel`, float32, frozen parameters marked, sharded with FSDP2."""
    import transformers

    hf = transformers.AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32, attn_implementation="eager")
    hf.to(device)
    hf.eval()  # no dropout: Temper's decoders have none
    names = dict(hf.named_parameters())
    missing = [n for n in frozen if n not in names]
    if missing:
        raise ValueError(f"frozen parameters not in the model: {missing[:3]}")
    for n in frozen:
        names[n].requires_grad_(False)
    model = TemperModel(hf)
    if checkpointing:
        from torch.distributed.algorithms._checkpoint.checkpoint_wrapper import checkpoint_wrapper
        container, _ = blocks_and_norm(hf)
        for i in range(len(container)):
            container[i] = checkpoint_wrapper(container[i])
    if shard:
        from torch.distributed.fsdp import MixedPrecisionPolicy, fully_shard
        policy = MixedPrecisionPolicy(param_dtype=torch.bfloat16, reduce_dtype=torch.float32) if bf16 else MixedPrecisionPolicy()
        container, _ = blocks_and_norm(hf)
        for block in container:
            fully_shard(block, mp_policy=policy)
        fully_shard(model, mp_policy=policy)
    elif bf16:
        raise ValueError("--bf16 needs FSDP2 (drop --no-shard)")
    return model


def frozen_base(job):
    """A loader of the job's base model, unsharded on every rank and never trained (π_ref of
    NPO/SimNPO, RMU's frozen activations, LAT's KL reference): loaded on first call, then kept."""
    cache = {}

    def get():
        if "model" not in cache:
            ref = load(job.spec["base"]["path"], job.device, [], shard=False)
            for p in ref.parameters():
                p.requires_grad_(False)
            cache["model"] = ref
        return cache["model"]

    return get
