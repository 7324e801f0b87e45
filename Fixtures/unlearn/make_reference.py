"""Reference values for Temper's unlearning losses (loss fidelity, `temper unlearn`).

Dev-time only (the lead's venv: torch, transformers, safetensors):
    python Fixtures/unlearn/make_reference.py

On the fixture world's model (Fixtures/world/model, loaded by transformers in float64, eager
attention) and a fixed forget batch and retain batch (padding on both), computes with the
reference formulas:
- GA: -CE(forget), locuslab/open-unlearning src/trainer/unlearn/grad_ascent.py
- GradDiff: gamma * -CE(forget) + alpha * CE(retain), src/trainer/unlearn/grad_diff.py
- NPO: -(2/beta) mean logsigmoid(-beta (log p_theta - log p_ref)) with summed response
  log-probs, src/trainer/utils.py compute_dpo_loss(win_inputs=None) / compute_batch_nll
- SimNPO: -(2/beta) mean logsigmoid(beta (nll/|y| - delta)), src/trainer/unlearn/simnpo.py
- RMU: MSE(h_l(forget), c u) + alpha MSE(h_l(retain), h_l^frozen(retain)),
  centerforaisafety/wmdp rmu/unlearn.py (MSE over real tokens; see UnlearnLoss.maskedMSE)
plus the gradients of a few weights. The reference model (NPO's pi_ref, RMU's frozen model)
is the same model with `model.layers.0.input_layernorm.weight` scaled by 1 + 0.1 sin(i), so
it differs from the trained one; that weight and the RMU control vector c u (u = torch.rand,
seed 0, unit norm; c = 4 x the frozen model's mean residual norm at l) are saved so Temper is
fed the same.

Writes Fixtures/unlearn/reference.json and Fixtures/unlearn/reference.safetensors (float32).
"""
import copy
import json
import math
import os

import torch
from safetensors.torch import save_file
from transformers import LlamaForCausalLM, PreTrainedTokenizerFast

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "..", "world", "model")
DATA = os.path.join(HERE, "..", "world", "data")
GAMMA, ALPHA, NPO_BETA, SIMNPO_BETA, SIMNPO_DELTA, RMU_ALPHA, RMU_LAYER, RMU_SCALE = 1.0, 1.0, 0.1, 1.0, 0.0, 100.0, 2, 4.0
PERTURBED = "model.layers.0.input_layernorm.weight"
GRADIENTS = ["model.norm.weight", "model.layers.1.post_attention_layernorm.weight", "model.layers.3.input_layernorm.weight"]
RMU_GRADIENTS = ["model.layers.1.input_layernorm.weight", "model.layers.2.post_attention_layernorm.weight"]
RMU_DOWN = "model.layers.2.mlp.down_proj.weight"  # first 8 rows compared


def rows(name, n):
    return [json.loads(line) for line in open(os.path.join(DATA, name))][:n]


def encode(tok, prompt, answer):
    """bos + "{prompt} {answer}" + eos; labels -100 on bos and the prompt (Temper's plain template)."""
    prompt_ids = tok(prompt, add_special_tokens=False)["input_ids"]
    ids = tok(prompt + " " + answer, add_special_tokens=False)["input_ids"]
    assert ids[:len(prompt_ids)] == prompt_ids
    full = [tok.bos_token_id] + ids + [tok.eos_token_id]
    labels = [-100] * (1 + len(prompt_ids)) + full[1 + len(prompt_ids):]
    return full, labels


def batch(tok, items):
    enc = [encode(tok, r["prompt"], r["response"]) for r in items]
    length = max(len(e[0]) for e in enc)
    ids = torch.full((len(enc), length), tok.pad_token_id, dtype=torch.long)
    labels = torch.full((len(enc), length), -100, dtype=torch.long)
    att = torch.zeros((len(enc), length), dtype=torch.long)
    for i, (s, l) in enumerate(enc):
        ids[i, :len(s)] = torch.tensor(s)
        labels[i, :len(l)] = torch.tensor(l)
        att[i, :len(s)] = 1
    return {"input_ids": ids, "attention_mask": att, "labels": labels}


def batch_nll(model, inputs):
    """open-unlearning compute_batch_nll: summed response NLL per row."""
    logits = model(input_ids=inputs["input_ids"], attention_mask=inputs["attention_mask"]).logits
    shifted = inputs["labels"][..., 1:]
    loss = torch.nn.functional.cross_entropy(logits[..., :-1, :].transpose(-1, -2), shifted, ignore_index=-100, reduction="none")
    return loss.sum(dim=-1)


def ce(model, inputs):
    out = model(**inputs)
    return out.loss


def residual(model, inputs, layer):
    """Output of model.layers[layer] (forward_with_cache's hook): hidden_states[layer + 1]."""
    out = model(input_ids=inputs["input_ids"], attention_mask=inputs["attention_mask"], output_hidden_states=True)
    return out.hidden_states[layer + 1]


def masked_mse(a, b, att):
    m = att.unsqueeze(-1).to(a.dtype)
    return (((a - b) ** 2) * m).sum() / (m.sum() * a.shape[-1])


def grads(model, loss, names):
    model.zero_grad()
    loss.backward()
    params = dict(model.named_parameters())
    return {n: params[n].grad.detach().clone() for n in names}


def main():
    torch.set_grad_enabled(True)
    tok = PreTrainedTokenizerFast.from_pretrained(MODEL)
    model = LlamaForCausalLM.from_pretrained(MODEL, attn_implementation="eager").to(torch.float64).eval()
    ref = copy.deepcopy(model)
    with torch.no_grad():
        w = dict(ref.named_parameters())[PERTURBED]
        scale = torch.tensor([1 + 0.1 * math.sin(i) for i in range(w.numel())], dtype=torch.float32).to(torch.float64)
        w.mul_(scale)
        # Round the perturbed weight to float32 so Temper's float32 copy is the same weight.
        w.copy_(w.to(torch.float32).to(torch.float64))
    for p in ref.parameters():
        p.requires_grad_(False)

    # Answers rotated among the prompts, so the model is unsure of every forget row: on rows
    # it knows (per-token NLL ~1e-4) the gradients are dominated by float32 cancellation in
    # softmax - onehot (torch's own float32 gradient of SimNPO is then 6e-4 off its float64
    # one), and a 1e-5 comparison would measure rounding, not the formula.
    known = rows("forget.jsonl", 3)
    forget_rows = [{"prompt": known[i]["prompt"], "response": known[(i + 1) % 3]["response"]} for i in range(3)]
    forget_rows.append({"prompt": known[0]["prompt"], "response": "simo grey simo"})
    retain_rows = rows("retain.jsonl", 2) + rows("harmless_train.jsonl", 1)
    f, r = batch(tok, forget_rows), batch(tok, retain_rows)
    out, tensors = {"model": "Fixtures/world/model", "perturbed": PERTURBED, "gamma": GAMMA, "alpha": ALPHA,
                    "npo_beta": NPO_BETA, "simnpo_beta": SIMNPO_BETA, "simnpo_delta": SIMNPO_DELTA,
                    "rmu_alpha": RMU_ALPHA, "rmu_layer": RMU_LAYER, "rmu_scale": RMU_SCALE,
                    "forget_rows": forget_rows, "retain_rows": retain_rows,
                    "forget_ids": f["input_ids"].tolist(), "forget_labels": f["labels"].tolist(),
                    "retain_ids": r["input_ids"].tolist(), "retain_labels": r["labels"].tolist(),
                    "gradients": GRADIENTS, "rmu_gradients": RMU_GRADIENTS, "rmu_down": RMU_DOWN}, {}
    tensors["ref." + PERTURBED] = dict(ref.named_parameters())[PERTURBED].detach().to(torch.float32).contiguous()

    def record(name, loss, names=GRADIENTS):
        out[name] = loss.item()
        for n, g in grads(model, loss, names).items():
            tensors[f"{name}_grad.{n}"] = g.to(torch.float32).contiguous()

    record("ga", -ce(model, f))
    out["forget_ce"] = ce(model, f).item()
    out["retain_ce"] = ce(model, r).item()
    record("graddiff", GAMMA * -ce(model, f) + ALPHA * ce(model, r))
    lose_log_ratio = -(batch_nll(model, f) - batch_nll(ref, f).detach())
    record("npo", -2 / NPO_BETA * torch.nn.functional.logsigmoid(NPO_BETA * (0.0 - lose_log_ratio)).mean())
    nll = batch_nll(model, f) / (f["labels"] != -100).sum(-1) - SIMNPO_DELTA
    record("simnpo", -torch.nn.functional.logsigmoid(SIMNPO_BETA * nll).mean() * 2 / SIMNPO_BETA)

    gen = torch.Generator().manual_seed(0)
    u = torch.rand(model.config.hidden_size, generator=gen, dtype=torch.float32)
    u = u / torch.norm(u)
    with torch.no_grad():
        h = residual(ref, f, RMU_LAYER)
        m = f["attention_mask"].bool()
        norm = h.norm(dim=-1)[m].mean().item()
    control = (u.to(torch.float64) * RMU_SCALE * norm).to(torch.float32)
    out["rmu_norm"] = norm
    tensors["rmu_control"] = control.contiguous()
    c64 = control.to(torch.float64)
    forget_mse = masked_mse(residual(model, f, RMU_LAYER), c64.view(1, 1, -1), f["attention_mask"])
    with torch.no_grad():
        held = residual(ref, r, RMU_LAYER)
    retain_mse = masked_mse(residual(model, r, RMU_LAYER), held, r["attention_mask"])
    out["rmu_forget"], out["rmu_retain"] = forget_mse.item(), retain_mse.item()
    total = forget_mse + RMU_ALPHA * retain_mse
    record("rmu", total, RMU_GRADIENTS + [RMU_DOWN])
    tensors[f"rmu_grad.{RMU_DOWN}"] = tensors[f"rmu_grad.{RMU_DOWN}"][:8].contiguous()

    with open(os.path.join(HERE, "reference.json"), "w") as fh:
        json.dump(out, fh, indent=1)
        fh.write("\n")
    save_file(tensors, os.path.join(HERE, "reference.safetensors"))
    print(json.dumps({k: out[k] for k in ("ga", "graddiff", "npo", "simnpo", "rmu", "rmu_forget", "rmu_retain", "rmu_norm")}, indent=1))


if __name__ == "__main__":
    main()
