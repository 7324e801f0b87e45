"""RepNoise (Rosati et al. 2024) as Sources/TemperHarden/RepNoiseLoss.swift computes it:

    L = CE_m(refusal) + β·mean_l MMD(mlp_l(harmful)⊙m, noise_l⊙m)
        − α·log((CE_m(harmful) + Σ_h CE_m(lm_head(norm(h)))) / (L + 1) + 1)

with the ablations of the reference's training.py branches (noAscent, noNoise, noMask,
noLens). The Gaussian noise is Temper's (job noise/), so the losses match Temper's run.
"""

import torch

from ..losses import gathered, masked_ce, mmd

OPERATION = "harden repnoise"


def build(transform, job):
    alpha, beta = float(transform["alpha"]), float(transform["beta"])
    sw = transform["switches"]
    no_ascent, no_noise, no_mask, no_lens = (bool(sw[k]) for k in ("noAscent", "noNoise", "noMask", "noLens"))
    layers = job.model["layers"]

    def noise_target(batch, noise, hidden):
        """Temper's samples placed at their positions of the global [B, T, hidden] batch."""
        positions = torch.ones_like(batch.global_mask_t) if no_mask else batch.global_mask_t
        full = []
        for l in range(layers):
            x = torch.zeros(positions.shape + (hidden,), dtype=torch.float32, device=positions.device)
            x[positions] = noise[l]
            full.append(x.reshape(positions.shape[0], -1))
        return full

    def step_loss(model, batch, step, noise):
        final_mask = batch.ones if no_mask else batch.mask
        refusal = model(batch.refusal_ids, batch.refusal_attention)["logits"]
        refusal_ce = masked_ce(refusal, batch.refusal_ids, batch.refusal_real, final_mask)
        total, parts = refusal_ce, {"refusal_ce": refusal_ce.item()}
        if no_noise and no_ascent:
            return total, parts
        out = model(batch.harmful_ids, batch.harmful_attention, mlp=not no_noise, lens=not no_ascent and not no_lens)
        if not no_noise:
            mlp = out["mlp"]
            hidden = mlp[0].shape[-1]
            targets = noise_target(batch, noise, hidden)
            m = None if no_mask else batch.mask.unsqueeze(-1).to(mlp[0].dtype)
            terms = []
            for l, h in enumerate(mlp):
                h = h.float() if m is None else (h * m).float()
                source = gathered(h.reshape(h.shape[0], -1), batch.counts)
                terms.append(mmd(source, targets[l]))
            noise_mmd = sum(terms[1:], terms[0]) / len(terms)
            total = total + noise_mmd * beta
            parts["noise_mmd"] = noise_mmd.item()
        if not no_ascent:
            harmful_ce = masked_ce(out["logits"], batch.harmful_ids, batch.harmful_real, final_mask)
            parts["harmful_ce"] = harmful_ce.item()
            argument = harmful_ce
            if not no_lens:
                summed = harmful_ce
                for lens in out["lens"]:  # the lens terms use the differing-token mask in every branch
                    summed = summed + masked_ce(lens, batch.harmful_ids, batch.harmful_real, batch.mask)
                argument = summed / (layers + 1) + 1
            parts["ascent_argument"] = argument.item()
            total = total - torch.log(argument) * alpha
        return total, parts

    return step_loss
