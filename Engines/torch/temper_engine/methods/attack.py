"""The fine-tuning attack of one (learning rate, seed) run, as Sources/TemperHarden/FineTuningAttack.swift
trains it (METHODS.md §3): `FineTuner.supervised` — full-parameter SFT with the response-only
causal-LM loss (Sources/TemperModels/FineTuner.swift `responseLoss`, transformers' loss with
labels −100 off the response) on the step's batch of (prompt, harmful response) rows, the
sampler's order (data/order.safetensors `train`), AdamW, linear warm-up over ⌈0.1·steps⌉ then
cosine, clipping at 1 — all of which train.py runs from job.json. No retain term.
"""

from ..losses import response_ce

OPERATION = "attack finetune"


def build(transform, job):
    def step_loss(model, batch, step, noise):
        logits = model(batch.input_ids, batch.attention)["logits"]
        return response_ce(logits, batch.labels), {}

    return step_loss
