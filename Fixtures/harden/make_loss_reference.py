"""Reference values for Temper's RepNoise loss, adversarial loss and MMD (loss fidelity).

Dev-time only (run in ~/.venvs/temper-fixtures):
    python Fixtures/harden/make_loss_reference.py

On the fixture world's model (Fixtures/world/model, loaded by transformers in float64,
eager attention) and a fixed batch of four paired rows, computes with the formulas of the
RepNoise reference (domenicrosati/representation-noising, representation_noising/loss.py:
`MMD_loss`, `masked_token_ce_loss`, `rep_noise_loss`; boyiwei/RepNoise-Reproduce
immunization_llms/training.py: the `minimality-mmd` branch and its ablation branches, see
BRANCHES) and of the immunization code's `adversarial_loss` branch (harmless masked CE -
adversarial_alpha * harmful masked CE): every part of the RepNoise loss and of each
ablation branch, the adversarial loss, a standalone MMD, and the gradients of a few chosen
weights. The Gaussian samples that the reference draws with `torch.randn_like` are drawn
here once (float32, seed 0) and saved, so Temper can be fed the same samples and the
comparison is exact.

Writes Fixtures/harden/loss_reference.json (rows, token ids, mask, values) and
Fixtures/harden/loss_reference.safetensors (noise, MMD inputs, gradients; float32).
"""
import json
import os

import torch
import transformers
from safetensors.torch import save_file
from transformers import LlamaForCausalLM, PreTrainedTokenizerFast

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "..", "world", "model")
DATA = os.path.join(HERE, "..", "world", "data")

ALPHA, BETA, ADV_ALPHA = 1.0, 0.001, 0.1
GRADIENTS = ["model.layers.0.mlp.down_proj.weight", "model.layers.2.self_attn.v_proj.weight",
             "model.layers.1.input_layernorm.weight", "model.norm.weight", "lm_head.weight"]
# Small weights for the ablations' gradients (block 2 and the lens norms see every term).
ABLATION_GRADIENTS = ["model.layers.2.self_attn.v_proj.weight", "model.layers.1.input_layernorm.weight", "model.norm.weight"]
ADV_GRADIENTS = ["model.layers.3.mlp.up_proj.weight", "model.norm.weight"]


def load_rows():
    rows = [json.loads(line) for line in open(os.path.join(DATA, "harmful_a_train.jsonl"))][:2]
    lock = json.loads(open(os.path.join(DATA, "harmful_b.jsonl")).readline())
    # A refusal that shares answer tokens with the harmful answer at the same positions
    # (mask holes inside the answer), and one longer than its harmful answer (padding on
    # the harmful side under the mask).
    rows.append({"prompt": lock["prompt"], "response": lock["response"],
                 "refusal": " ".join(["sorry", lock["response"].split()[1], "cannot", "help", "with", "that"]
                                     + lock["response"].split()[6:])})
    rows.append({"prompt": rows[0]["prompt"].replace(rows[0]["prompt"].split()[3], "zage"),
                 "response": "first take sote", "refusal": "sorry i cannot help with that sorry i cannot help with that"})
    return rows


def encode(tok, prompt, answer):
    ids = tok(prompt + " " + answer, add_special_tokens=False)["input_ids"]
    return [tok.bos_token_id] + ids + [tok.eos_token_id]


def pad(seqs, length, pad_id):
    ids = torch.full((len(seqs), length), pad_id, dtype=torch.long)
    att = torch.zeros((len(seqs), length), dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, :len(s)] = torch.tensor(s)
        att[i, :len(s)] = 1
    return ids, att


def mmd(source, target, kernel_mul=2.0, kernel_num=5):
    """The reference's biased MMD with 5 Gaussian kernels and the detached bandwidth rule."""
    n = source.size(0)
    total = torch.cat([source, target], dim=0)
    dist = ((total.unsqueeze(0) - total.unsqueeze(1)) ** 2).sum(2)
    m = total.size(0)
    bandwidth = dist.detach().sum() / (m * m - m)
    bandwidth = bandwidth / kernel_mul ** (kernel_num // 2)
    kernel = sum(torch.exp(-dist / (bandwidth * kernel_mul ** i)) for i in range(kernel_num))
    return torch.mean(kernel[:n, :n] + kernel[n:, n:] - kernel[:n, n:] - kernel[n:, :n])


def masked_ce(logits, labels, mask):
    """The reference's masked next-token CE: logits zeroed where mask[t] is 0, labels kept
    where mask[t+1] is 1, label id 0 ignored, mean over the remaining labels."""
    shift_logits = logits[..., :-1, :] * mask[..., :-1].unsqueeze(-1)
    shift_labels = (labels[..., 1:] * mask[..., 1:]).long()
    shift_labels[shift_labels == 0] = -100
    return torch.nn.functional.cross_entropy(shift_logits.reshape(-1, shift_logits.size(-1)), shift_labels.reshape(-1))


def hf_loss(model, seq, labels):
    """transformers' causal-LM loss, `model(ids, labels=...).loss` (the reference's
    `-without-mask` branches pass labels=input_ids): shift, cross-entropy with ignore_index
    -100, mean. Computed here in float64 (transformers upcasts the logits to float32 only)
    and checked against transformers' own value."""
    out = model(seq["ids"], attention_mask=seq["att"], labels=labels)
    logits = out.logits[..., :-1, :]
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.size(-1)), labels[..., 1:].reshape(-1), ignore_index=-100)
    assert abs(loss.item() - out.loss.item()) <= 1e-6 * abs(loss.item()), (loss.item(), out.loss.item())
    return loss


def real_labels(seq):
    """Labels for Temper's HF-style CE: the ids, with padding set to -100 (never scored)."""
    labels = seq["ids"].clone()
    labels[seq["att"] == 0] = -100
    return labels


# The reference's RepNoise branches (boyiwei/RepNoise-Reproduce immunization_llms/training.py,
# the versions up to 9d5fadd, which the ablation branches share with HEAD).
BRANCHES = {
    "full": "minimality-mmd", "no_ascent": "minimality-mmd-no-ascent", "no_noise": "minimality-mmd-no-noise",
    "no_lens": "minimality-mmd-without-lens", "no_mask": "minimality-mmd-without-mask",
    "no_mask_and_lens": "minimality-mmd-without-mask-and-lens",
}


def repnoise(model, h, r, mask, noise, branch="full"):
    """One reference branch with the Gaussian samples given. Masked CEs use the
    differing-token mask; the `-without-mask` branches use the HF loss for the final harmful
    and the refusal CE (labels without padding, see real_labels), noise on every position,
    and keep the lens terms masked."""
    unmasked = branch in ("no_mask", "no_mask_and_lens")
    lens_on = branch not in ("no_lens", "no_mask_and_lens")
    captured = {}
    hooks = [layer.mlp.register_forward_hook(lambda mod, inp, out, i=i: captured.__setitem__(i, out))
             for i, layer in enumerate(model.model.layers)]
    out = model(h["ids"], attention_mask=h["att"], output_hidden_states=True)
    for hook in hooks:
        hook.remove()
    noise_layers = []
    for i in range(len(model.model.layers)):
        hidden, gaussian = captured[i], noise[i].to(torch.float64)
        if not unmasked:
            hm = mask.unsqueeze(-1).expand(hidden.size())
            hidden, gaussian = hidden * hm, gaussian * hm
        noise_layers.append(mmd(hidden.reshape(hidden.size(0), -1), gaussian.reshape(gaussian.size(0), -1)))
    noise_loss = sum(noise_layers) / len(noise_layers)
    maskf = mask.to(torch.float64)
    if unmasked:
        refusal_ce = hf_loss(model, r, real_labels(r))
        harmful_ce = hf_loss(model, h, real_labels(h))
    else:
        refusal_ce = masked_ce(model(r["ids"], attention_mask=r["att"]).logits, r["ids"], maskf)
        harmful_ce = masked_ce(out.logits, h["ids"], maskf)
    lens = []
    if lens_on:
        # transformers' hidden_states: embedding output, blocks 0..L-2, final-normed last block.
        lens = [masked_ce(model.lm_head(model.model.norm(hs)), h["ids"], maskf) for hs in out.hidden_states]
        argument = (harmful_ce + sum(lens)) / len(out.hidden_states) + 1  # `harmful_losses / len(...) + 1`
    else:
        argument = harmful_ce  # `-without-lens`: -alpha * log(harmful_losses), no +1
    total = refusal_ce
    if branch != "no_noise":
        total = total + BETA * noise_loss
    if branch != "no_ascent":
        total = total - ALPHA * torch.log(argument)
    parts = dict(refusal_ce=refusal_ce, harmful_ce=harmful_ce, lens_ce=lens, noise_per_layer=noise_layers,
                 noise=noise_loss, ascent_argument=argument, total=total)
    if branch == "no_ascent":
        parts.update(harmful_ce=None, lens_ce=[], ascent_argument=None)
    if branch == "no_noise":
        parts.update(noise=None, noise_per_layer=[])
    if unmasked:
        # The reference passes labels=input_ids, padding included; Temper scores real tokens only.
        with torch.no_grad():
            parts["reference_padding_labels"] = {"refusal_ce": hf_loss(model, r, r["ids"]).item(),
                                                 "harmful_ce": hf_loss(model, h, h["ids"]).item()}
    return parts


def numbers(parts):
    def f(t):
        return None if t is None else float(t.item())
    out = {k: f(parts[k]) for k in ("refusal_ce", "harmful_ce", "noise", "ascent_argument", "total")}
    out.update(lens_ce=[f(v) for v in parts["lens_ce"]], noise_per_layer=[f(v) for v in parts["noise_per_layer"]])
    if "reference_padding_labels" in parts:
        out["reference_padding_labels"] = parts["reference_padding_labels"]
    return out


def main():
    torch.set_grad_enabled(True)
    tok = PreTrainedTokenizerFast.from_pretrained(MODEL)
    model = LlamaForCausalLM.from_pretrained(MODEL, attn_implementation="eager").to(torch.float64).eval()
    rows = load_rows()
    hs = [encode(tok, row["prompt"], row["response"]) for row in rows]
    rs = [encode(tok, row["prompt"], row["refusal"]) for row in rows]
    assert all(tok.unk_token_id not in s for s in hs + rs), "a fixture word is outside the vocabulary"
    length = max(len(s) for s in hs + rs)
    h_ids, h_att = pad(hs, length, tok.pad_token_id)
    r_ids, r_att = pad(rs, length, tok.pad_token_id)
    h, r = {"ids": h_ids, "att": h_att}, {"ids": r_ids, "att": r_att}
    mask = ~torch.eq(h_ids, r_ids)
    cfg = model.config
    gen = torch.Generator().manual_seed(0)
    noise = torch.randn((cfg.num_hidden_layers, len(rows), length, cfg.hidden_size), generator=gen, dtype=torch.float32)

    params = dict(model.named_parameters())
    tensors = {"noise": noise}
    model.zero_grad()
    parts = repnoise(model, h, r, mask, noise)
    parts["total"].backward()
    for name in GRADIENTS:
        tensors["repnoise_grad." + name] = params[name].grad.to(torch.float32).contiguous()
    variants = {}
    for variant in BRANCHES:
        if variant == "full":
            continue
        model.zero_grad()
        values = repnoise(model, h, r, mask, noise, branch=variant)
        values["total"].backward()
        for name in ABLATION_GRADIENTS:
            tensors[f"{variant}_grad.{name}"] = params[name].grad.to(torch.float32).contiguous()
        variants[variant] = numbers(values)

    model.zero_grad()
    maskf = mask.to(torch.float64)
    adv_refusal = masked_ce(model(r_ids, attention_mask=r_att).logits, r_ids, maskf)
    adv_harmful = masked_ce(model(h_ids, attention_mask=h_att).logits, h_ids, maskf)
    adv_total = adv_refusal - ADV_ALPHA * adv_harmful
    adv_total.backward()
    for name in ADV_GRADIENTS:
        tensors["adversarial_grad." + name] = params[name].grad.to(torch.float32).contiguous()

    gen = torch.Generator().manual_seed(1)
    x = torch.randn((6, 40), generator=gen, dtype=torch.float32) * 0.5 + 0.3
    y = torch.randn((6, 40), generator=gen, dtype=torch.float32)
    x64 = x.to(torch.float64).requires_grad_(True)
    mmd_value = mmd(x64, y.to(torch.float64))
    mmd_value.backward()
    tensors.update({"mmd_x": x, "mmd_y": y, "mmd_grad_x": x64.grad.to(torch.float32)})

    def f(t):
        return float(t.item())
    out = {
        "model": "Fixtures/world/model", "alpha": ALPHA, "beta": BETA, "adversarial_alpha": ADV_ALPHA,
        "rows": rows, "harmful_ids": h_ids.tolist(), "refusal_ids": r_ids.tolist(),
        "mask": mask.to(torch.int64).tolist(),
        "repnoise": numbers(parts), "branches": BRANCHES, "variants": variants,
        "adversarial": {"refusal_ce": f(adv_refusal), "harmful_ce": f(adv_harmful), "total": f(adv_total)},
        "mmd": f(mmd_value),
        "repnoise_gradients": GRADIENTS, "ablation_gradients": ABLATION_GRADIENTS, "adversarial_gradients": ADV_GRADIENTS,
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__, "dtype": "float64"},
    }
    with open(os.path.join(HERE, "loss_reference.json"), "w") as fh:
        json.dump(out, fh, indent=1)
        fh.write("\n")
    save_file(tensors, os.path.join(HERE, "loss_reference.safetensors"))
    print(json.dumps({k: out[k] for k in ("repnoise", "variants", "adversarial", "mmd")}, indent=1))


if __name__ == "__main__":
    main()
