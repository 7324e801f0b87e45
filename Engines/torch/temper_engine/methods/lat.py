"""Targeted LAT (Sheshadri et al. 2024) as Sources/TemperHarden/LATTransform.swift,
LatentAdversary.swift and LATLoss.swift compute it (reference: aengusl/latent-adversarial-training
latent_at/lat_methods.py `ProjectedGradLAT`, laa/attacks.py `GDAdversary`, lat_helpers.py
`compute_toward_away_loss`, utils.py `log_1_minus_p_loss`):

Every `model_steps_per_attack` steps (one batch each group, job.json `lat`), an adversary δ —
one vector per token at each residual point (0 the embedding output, l + 1 after block l),
zero at start as Temper's, added where the attack mask holds — runs `attack.steps` AdamW
steps (lr `attack.learningRate`, torch defaults with weight decay 0.01) on the normalized
adversary coefficients: toward = CE of the unwanted completion, away = −Σ log(1 − p)/n of the
desired one (predictions with log p < −5 add 0); NaN gradients zeroed, then each token's δ
projected onto the L2 ball of Temper's absolute ε. The model then trains under the frozen δ:
toward the desired, away from the unwanted (normalized model coefficients), plus
retain_weight × (sft·CE + kl·1000·KL to the base) on the harmless rows without δ.
Completions start at each row's prompt length (data/paired `prompt_length`). Sums and counts
are over the global batch; each rank's δ covers its rows, and its gradient is divided by the
world size (the collectives' backward sums over ranks), so AdamW sees the single-process one.
"""

import torch
import torch.nn.functional as F

from .. import model as model_lib
from ..collectives import global_sum, sum_no_grad, world_size
from ..losses import response_ce

OPERATION = "harden lat"
AWAY_THRESHOLD = -5.0
KL_SCALE = 1000.0


def normalized(c):
    s = c["toward"] + c["away"] + c["sft"] + c["kl"]
    return {k: c[k] / s for k in ("toward", "away", "sft", "kl")}


def completion_targets(ids, real, prompt):
    """Predictions t → t+1 with t+1 ≥ the row's prompt length and token t+1 real ([b, T−1]), and their labels."""
    t = torch.arange(ids.shape[1] - 1, device=ids.device)
    return (t[None, :] + 1 >= prompt[:, None]) & real[:, 1:], ids[:, 1:]


def global_count(selected, what):
    n = sum_no_grad(selected.sum().to(torch.float64)).item()
    if n == 0:
        raise ValueError(f"no completion token in {what}")
    return n


def toward(logits, targets, what):
    """Mean CE of the selected predictions (`LATTerms.toward`)."""
    sel, labels = targets
    z = logits[:, :-1][sel].float()
    nll = -F.log_softmax(z, -1).gather(-1, labels[sel].unsqueeze(-1)).squeeze(-1)
    return global_sum(nll.sum()) / global_count(sel, what)


def away(logits, targets, what):
    """−Σ log(1 − p(label))·[log p ≥ −5] / n, log(1 − p) as Temper's `LATTerms.away` computes it:
    A_k − logsoftmax(A + M)_k for k ≠ label, A the log-probabilities, M = −1e10 at the label."""
    sel, labels = targets
    n = global_count(sel, what)
    z = logits[:, :-1][sel].float()
    y = labels[sel].unsqueeze(-1)
    logp = F.log_softmax(z, -1)
    picked = logp.gather(-1, y).squeeze(-1)
    masked = torch.zeros_like(logp).scatter(-1, y, -1e10)
    other = (y == 0).long()
    anchor = logp.gather(-1, other).squeeze(-1)
    log_one_minus_p = anchor - F.log_softmax(logp + masked, -1).gather(-1, other).squeeze(-1)
    keep = (picked.detach() >= AWAY_THRESHOLD).to(logp.dtype)
    return global_sum((log_one_minus_p * keep).sum()) * (-1.0 / n)


def kl(logits, initial, labels):
    """1000 · Σ over the response positions (unshifted) of Σ_v p (log p − log p₀) (`LATTerms.kl`)."""
    keep = labels != -100
    if sum_no_grad(keep.sum().to(torch.float64)).item() == 0:
        raise ValueError("no response token in the harmless rows")
    current = F.log_softmax(logits[keep].float(), -1)
    base = F.log_softmax(initial[keep].float(), -1)
    return global_sum((current.exp() * (current - base)).sum()) * KL_SCALE


def build(config, job):
    if getattr(job, "checkpointing", False):
        raise ValueError("harden lat: --activation-checkpointing is not supported (a recompute would not see δ)")
    t = config["transform"]
    spec = job.spec.get("lat")
    if spec is None:
        raise ValueError("harden lat: job.json has no 'lat' member (export with a Temper that writes it)")
    indices, radii, per_attack = spec["residual_indices"], spec["epsilons"], int(spec["model_steps_per_attack"])
    settings = t["attack"]
    adv_c, model_c = normalized(t["adversaryCoefficients"]), normalized(t["modelCoefficients"])
    weight = float(job.training["retain_weight"])
    state = {}

    initial_model = model_lib.frozen_base(job)

    def sides(batch):
        if batch.prompt_length is None:
            raise ValueError("harden lat: data/paired.safetensors has no prompt_length")
        unwanted = completion_targets(batch.harmful_ids, batch.harmful_real, batch.prompt_length)
        desired = completion_targets(batch.refusal_ids, batch.refusal_real, batch.prompt_length)
        return unwanted, desired

    def toward_away(model, batch, perturb, c, toward_ids, toward_t, away_ids, away_t, prefix):
        total, parts = None, {}
        if c["toward"] > 0:
            v = toward(model(toward_ids[0], toward_ids[1], perturb=perturb)["logits"], toward_t, "the toward completions")
            parts[prefix + "toward"] = v
            total = v * c["toward"] if total is None else total + v * c["toward"]
        if c["away"] > 0:
            v = away(model(away_ids[0], away_ids[1], perturb=perturb)["logits"], away_t, "the away completions")
            parts[prefix + "away"] = v
            total = v * c["away"] if total is None else total + v * c["away"]
        if total is None:  # only the benign term (Temper starts the sum at 0)
            total = torch.zeros((), device=toward_ids[0].device)
        return total, parts

    def adversary(model, batch):
        """`LatentAttack.run`: δ from zero, AdamW, NaN gradients zeroed, projection."""
        unwanted, desired = sides(batch)
        b, length = batch.harmful_ids.shape
        real = batch.harmful_real | batch.refusal_real
        pos = torch.arange(length, device=real.device)[None, :]
        attacked = real if settings["attackCompletions"] else real & (pos < batch.prompt_length[:, None])
        mask = attacked.float().unsqueeze(-1)
        hidden = job.model["hidden_size"]
        deltas = {i: torch.zeros(b, length, hidden, device=real.device, requires_grad=True) for i in indices}
        optimizer = torch.optim.AdamW([deltas[i] for i in indices], lr=settings["learningRate"], foreach=False)
        harmful = (batch.harmful_ids, batch.harmful_attention)
        refusal = (batch.refusal_ids, batch.refusal_attention)
        w = world_size()
        metrics = {}
        for _ in range(settings["steps"]):
            optimizer.zero_grad(set_to_none=True)
            perturb = {i: deltas[i] * mask for i in indices}
            total, parts = toward_away(model, batch, perturb, adv_c, harmful, unwanted, refusal, desired, "adv_")
            metrics = {k: v.item() for k, v in parts.items()}
            metrics["adv_total"] = total.item()
            total.backward()
            for p in model.parameters():
                p.grad = None  # only δ trains here
            with torch.no_grad():
                for i in indices:
                    g = deltas[i].grad
                    if w > 1:
                        g /= w
                    g[torch.isnan(g)] = 0
            optimizer.step()
            with torch.no_grad():
                for i, eps in zip(indices, radii):
                    d = deltas[i]
                    scale = (d.norm(dim=-1, keepdim=True) / torch.tensor(eps, dtype=torch.float32)).clamp(min=1)
                    d /= scale
        return {i: (deltas[i].detach() * mask) for i in indices}, metrics

    def step_loss(model, batch, step, noise, retain=None):
        group = step // per_attack
        if state.get("group") != group:
            state["group"] = group
            state["perturb"], state["metrics"] = adversary(model, batch)
        unwanted, desired = sides(batch)
        harmful = (batch.harmful_ids, batch.harmful_attention)
        refusal = (batch.refusal_ids, batch.refusal_attention)
        total, parts = toward_away(model, batch, state["perturb"], model_c, refusal, desired, harmful, unwanted, "def_")
        metrics = {k: v.item() for k, v in parts.items()}
        metrics.update(state["metrics"])
        for i, eps in zip(indices, radii):
            metrics[f"epsilon_r{i}"] = float(torch.tensor(eps, dtype=torch.float32).item())
        if retain is not None and weight > 0:
            logits = model(retain.input_ids, retain.attention)["logits"]
            ce = response_ce(logits, retain.labels)
            benign = ce * model_c["sft"]
            metrics["sft_ce"] = ce.item()
            if model_c["kl"] > 0:
                with torch.no_grad():
                    base = initial_model()(retain.input_ids, retain.attention)["logits"]
                term = kl(logits, base.detach(), retain.labels)
                metrics["kl"] = term.item()
                benign = benign + term * model_c["kl"]
            total = total + benign * weight
        return total, metrics

    step_loss.takes_retain = True
    step_loss.batch_step = lambda s: s // per_attack
    return step_loss
