"""The adversarial-loss baseline (Sources/TemperHarden/AdversarialLoss.swift):
L = CE_m(refusal) − a·CE_m(harmful), m the differing answer tokens (every real token with noMask)."""

from ..losses import masked_ce

OPERATION = "harden adversarial"


def build(transform, job):
    a = float(transform["adversarialAlpha"])
    no_mask = bool(transform["noMask"])

    def step_loss(model, batch, step, noise):
        mask = batch.ones if no_mask else batch.mask
        refusal = model(batch.refusal_ids, batch.refusal_attention)["logits"]
        harmful = model(batch.harmful_ids, batch.harmful_attention)["logits"]
        refusal_ce = masked_ce(refusal, batch.refusal_ids, batch.refusal_real, mask)
        harmful_ce = masked_ce(harmful, batch.harmful_ids, batch.harmful_real, mask)
        total = refusal_ce - harmful_ce * a
        return total, {"refusal_ce": refusal_ce.item(), "harmful_ce": harmful_ce.item()}

    return step_loss
