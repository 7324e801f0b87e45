"""RMU (Li et al. 2024) as Sources/TemperHarden/UnlearnLoss.swift `rmu` and UnlearnRunner.swift
compute it (reference: centerforaisafety/wmdp rmu/unlearn.py `run_rmu`):

    forget_mse = MSE(h_l(F), c·u)            over F's real tokens and hidden units
    retain_mse = MSE(h_l(R), h_l^frozen(R))  over R's real tokens and hidden units
    loss       = γ·forget_mse + α·retain_mse

h_l is the residual stream after block l (the output of `model.layers[l]`), h^frozen the base
loaded a second time (unsharded, never trained). MSE counts real tokens only — Temper's
documented deviation from the reference, which averages over padding too. c·u comes from
Temper (data/control.safetensors `control`, [hidden] float32, the exact product Temper trains
against), as do l and c (config.json, resolved by Temper on the first forget batch); only the
down-projections of blocks l−2..l train (job.json `model.frozen` holds every other tensor).
Sums and counts are over the global batch, so every world size gives one loss.
"""

import os

import torch
from safetensors.torch import load_file

from .. import model as model_lib
from ..collectives import global_sum, sum_no_grad

OPERATION = "unlearn rmu"


def masked_mse(a, b, real):
    """Σ over real tokens of (a − b)² / (real tokens × hidden), over every rank's rows
    (Temper's `UnlearnLoss.maskedMSE`; b broadcasts against a [b, T, hidden])."""
    mask = real.to(a.dtype).unsqueeze(-1)
    squared = global_sum((((a - b) ** 2) * mask).sum())
    count = sum_no_grad(real.sum().to(torch.float64))
    if count.item() == 0:
        raise ValueError("an RMU batch has no real tokens")
    return squared / (count.item() * a.shape[-1])


def build(transform, job):
    layer = transform.get("layer")
    if layer is None or transform.get("steeringCoefficient") is None:
        raise ValueError("unlearn rmu: config.json lacks the resolved layer and steering coefficient (export with Temper ≥ the RMU job)")
    gamma = float(transform["gamma"])
    alpha = float(job.training["retain_weight"])
    control = load_file(os.path.join(job.folder, "data", "control.safetensors"))["control"].to(job.device)
    if control.shape != (job.model["hidden_size"],):
        raise ValueError(f"data/control.safetensors: control is {tuple(control.shape)}, hidden size {job.model['hidden_size']}")

    frozen_model = model_lib.frozen_base(job)

    def step_loss(model, batch, step, noise, retain=None):
        if retain is None:
            raise ValueError(f"step {step + 1}: RMU needs the step's retain batch")
        h = model(batch.input_ids, batch.attention, residual=layer)["residual"]
        forget = masked_mse(h.float(), control, batch.attention.bool())
        with torch.no_grad():
            held = frozen_model()(retain.input_ids, retain.attention, residual=layer)["residual"].float()
        kept = model(retain.input_ids, retain.attention, residual=layer)["residual"]
        retained = masked_mse(kept.float(), held.detach(), retain.attention.bool())
        loss = forget * gamma + retained * alpha
        return loss, {"forget_mse": forget.item(), "retain_mse": retained.item()}

    step_loss.takes_retain = True  # train.py passes the retain batch and adds no retain CE
    return step_loss
