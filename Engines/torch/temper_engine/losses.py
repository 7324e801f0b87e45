"""The reductions Temper's losses use, over the global batch.

Each function takes this rank's rows and returns the value for the whole batch (the same
on every rank, differentiable through `collectives`).
"""

import math

import torch
import torch.nn.functional as F

from .collectives import gather_rows, global_sum, sum_no_grad


def masked_ce(logits, ids, real, mask):
    """The RepNoise reference's `masked_token_ce_loss`, as Temper's `MaskedTokenLoss`
    (Sources/TemperHarden/MaskedTokenLoss.swift): prediction t → t+1 counts when mask[t+1]
    holds and token t+1 is real; where mask[t] does not hold its logits are zeroed, so that
    prediction costs log V with no gradient. Mean over the counted predictions of the whole
    batch. With `mask` all true this is the causal-LM loss over the real tokens.
    """
    counted = mask[:, 1:] & real[:, 1:]
    full = counted & mask[:, :-1]
    zeroed = counted & ~mask[:, :-1]
    vocab = logits.shape[-1]
    logp = F.log_softmax(logits[:, :-1].float(), dim=-1)
    nll = -logp.gather(-1, ids[:, 1:].unsqueeze(-1)).squeeze(-1)
    local = nll[full].sum()
    count = sum_no_grad(torch.tensor(float(counted.sum()), device=logits.device))
    if count.item() == 0:
        raise ValueError("empty mask: no counted prediction in the batch")
    zeroed_n = sum_no_grad(torch.tensor(float(zeroed.sum()), device=logits.device))
    return (global_sum(local) + zeroed_n * math.log(vocab)) / count


def response_ce(logits, labels):
    """transformers' causal-LM loss: mean CE of logits[t] against labels[t+1] where the
    label is not -100, over the whole batch (Temper's `LanguageModelLoss.causal`)."""
    targets = labels[:, 1:]
    keep = targets != -100
    logp = F.log_softmax(logits[:, :-1].float(), dim=-1)
    nll = -logp.gather(-1, targets.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    count = sum_no_grad(torch.tensor(float(keep.sum()), device=logits.device))
    if count.item() == 0:
        raise ValueError("no response token in the retain batch")
    return global_sum(nll[keep].sum()) / count


def squared_distances(x, y):
    """‖x‖² + ‖y‖² − 2·x·yᵀ clamped at 0 (Temper's `squaredDistances`)."""
    xx = (x * x).sum(1)
    yy = (y * y).sum(1)
    return (xx[:, None] + yy[None, :] - 2 * x @ y.T).clamp(min=0)


def mmd(source, target, kernels=5, multiplier=2.0):
    """The RepNoise reference's `MMD_loss` (Temper's `GaussianMMD`): biased MMD² with a sum
    of Gaussian kernels, bandwidth from the detached mean off-diagonal squared distance."""
    n = source.shape[0]
    total = torch.cat([source, target], 0)
    d = squared_distances(total, total)
    joint = 2 * n
    bandwidth = d.detach().double().sum().item() / (joint * joint - joint) / multiplier ** (kernels // 2)
    if not bandwidth > 0 or not math.isfinite(bandwidth):
        raise ValueError(f"MMD bandwidth is {bandwidth}: the joint sample has no spread")
    kernel = None
    for _ in range(kernels):
        k = torch.exp(d * (-1.0 / bandwidth))
        kernel = k if kernel is None else kernel + k
        bandwidth *= multiplier
    same = torch.zeros(joint, joint, dtype=torch.bool, device=d.device)
    same[:n, :n] = True
    same[n:, n:] = True
    weights = torch.where(same, 1.0 / (n * n), -1.0 / (n * n)).to(kernel.dtype)
    return (kernel * weights).sum()


def gathered(x, counts):
    """Every rank's rows of `x` (with gradient)."""
    return gather_rows(x, counts)
