"""The forget terms of `temper unlearn` (Sources/TemperHarden/UnlearnLoss.swift and
UnlearnRunner.swift `objective`), over the step's forget batch F (response-only labels):

    ga, graddiff  −γ·CE(F)                                    (open-unlearning grad_ascent.py / grad_diff.py)
    npo           γ·(−2/β)·mean logσ(−β·(log π_θ(y|x) − log π_ref(y|x)))   (npo.py, utils.py compute_dpo_loss)
    simnpo        γ·(−2/β)·mean logσ(β·(−log π_θ(y|x)/|y| − δ))            (simnpo.py)

log π(y|x) is summed over each row's response tokens; π_ref is the start model loaded a
second time, frozen. The retain term α·CE(R) (graddiff, npo, simnpo) is train.py's, as
Temper's. Means over rows are over the global batch, so every world size gives one loss.
"""

import torch
import torch.nn.functional as F

from .. import model as model_lib
from ..collectives import global_sum, sum_no_grad
from ..losses import response_ce

OPERATIONS = ("unlearn ga", "unlearn graddiff", "unlearn npo", "unlearn simnpo")


def sequence_log_probability(logits, labels):
    """Σ_t log softmax(logits[t])[labels[t+1]] over labels ≠ −100, per row ([b]):
    Temper's `LanguageModelLoss.sequenceLogProbabilities`."""
    targets = labels[:, 1:]
    keep = targets != -100
    logp = F.log_softmax(logits[:, :-1].float(), dim=-1)
    picked = logp.gather(-1, targets.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    return (picked * keep).sum(1)


def global_mean(rows):
    """Mean of per-row values over every rank's rows, with gradient."""
    count = sum_no_grad(torch.tensor(float(rows.shape[0]), device=rows.device))
    return global_sum(rows.sum()) / count


def build(transform, job):
    method = transform["method"]
    gamma, beta, delta = float(transform["gamma"]), float(transform["beta"]), float(transform["delta"])

    frozen_model = model_lib.frozen_base(job)

    def step_loss(model, batch, step, noise):
        logits = model(batch.input_ids, batch.attention)["logits"]
        if method in ("ga", "graddiff"):
            ce = response_ce(logits, batch.labels)
            return ce * -gamma, {"forget_ce": ce.item()}
        current = sequence_log_probability(logits, batch.labels)
        if method == "npo":
            with torch.no_grad():
                held = sequence_log_probability(frozen_model()(batch.input_ids, batch.attention)["logits"], batch.labels)
            term = global_mean(F.logsigmoid((current - held.detach()) * -beta)) * (-2 / beta)
            return term * gamma, {"npo": term.item()}
        if method == "simnpo":
            lengths = (batch.labels != -100).sum(1).float()
            if bool((lengths == 0).any()):
                raise ValueError(f"step {step + 1}: a SimNPO forget row has no response token")
            per_token = -current / lengths
            term = global_mean(F.logsigmoid((per_token - delta) * beta)) * (-2 / beta)
            return term * gamma, {"simnpo": term.item()}
        raise ValueError(f"unlearn {method}: not implemented in the torch engine")

    return step_loss
