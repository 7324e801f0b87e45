"""The training loop, as Temper's `FineTuner` + `HardenTrainer` run it
(Sources/TemperModels/FineTuner.swift, Sources/TemperHarden/HardenTrainer.swift):
for each step, the paired loss of the step's batch plus retain_weight × the response CE of
the step's retain batch; refuse a non-finite loss or gradient norm before the update; clip
to the global norm; set lr = base·λ(step) (linear warm-up from 0, then half-cosine to 0);
AdamW. Step s uses the sampler's batch s, so the order is Temper's.
"""

import json
import math
import os
import platform
import sys
import time
from types import SimpleNamespace

import numpy as np
import torch
import torch.distributed as dist

from . import model as model_lib
from . import save
from .collectives import rank, world_size
from .job import Job
from .losses import response_ce
from .methods import listed_operations, method


def lr_factor(step, warmup, total):
    """Sources/TemperTensor/Optim/LRSchedule.swift `.warmupCosine` (transformers' cosine schedule)."""
    if step < warmup:
        return step / max(1, warmup)
    progress = (step - warmup) / max(1, total - warmup)
    return max(0.0, 0.5 * (1 + math.cos(math.pi * 0.5 * 2 * progress)))


def tensors(batch, device):
    t = lambda a, dt=torch.long: torch.as_tensor(a, dtype=dt, device=device)
    return SimpleNamespace(
        harmful_ids=t(batch.harmful_ids), harmful_real=t(batch.harmful_real, torch.bool),
        harmful_attention=t(batch.harmful_real), refusal_ids=t(batch.refusal_ids),
        refusal_real=t(batch.refusal_real, torch.bool), refusal_attention=t(batch.refusal_real),
        mask=t(batch.mask, torch.bool), ones=torch.ones(batch.mask.shape, dtype=torch.bool, device=device),
        global_mask_t=t(batch.global_mask, torch.bool), counts=batch.counts,
        prompt_length=t(batch.prompt_length) if batch.prompt_length is not None else None)


def row_tensors(batch, device):
    """A forget (or retain) batch: ids, attention mask and response-only labels."""
    return SimpleNamespace(input_ids=torch.as_tensor(batch.input_ids, device=device),
                           attention=torch.as_tensor(batch.real, dtype=torch.long, device=device),
                           labels=torch.as_tensor(batch.labels, device=device))


def number(v):
    return v if math.isfinite(v) else ("nan" if math.isnan(v) else ("inf" if v > 0 else "-inf"))


def log_line(step, parts, lr, grad_norm):
    """One losses.jsonl line, keys as Sources/TemperHarden/Job/LossLog.swift writes them."""
    line = {"step": step}
    for k in sorted(parts):
        line[k] = number(parts[k])
    line["lr"] = number(lr)
    line["grad_norm"] = number(grad_norm)
    return json.dumps(line, separators=(",", ":"))


def setup():
    if "RANK" in os.environ and not dist.is_initialized():
        backend = "nccl" if torch.cuda.is_available() else "gloo"
        dist.init_process_group(backend)
    if torch.cuda.is_available():
        local = int(os.environ.get("LOCAL_RANK", 0))
        torch.cuda.set_device(local)
        return torch.device("cuda", local)
    return torch.device("cpu")


def run(job_folder, out, bf16=False, checkpointing=False, shard=True):
    started = time.time()
    device = setup()
    job = Job(job_folder)
    if job.operation not in listed_operations():
        raise SystemExit(f"temper_engine: '{job.operation}' is not in operations.txt")
    r, w = rank(), world_size()
    torch.use_deterministic_algorithms(True, warn_only=True)
    spec = job.training
    job.device = device  # methods that load a second copy of the base (NPO's reference) put it here
    job.checkpointing = checkpointing
    step_loss = method(job.operation).build(job.transform, job)
    base = job.spec["base"]["path"]
    model = model_lib.load(base, device, job.model["frozen"], bf16=bf16, checkpointing=checkpointing, shard=shard)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=spec["learning_rate"], betas=(spec["beta1"], spec["beta2"]), eps=spec["eps"],
                                  weight_decay=spec["weight_decay"], foreach=False)
    max_norm = spec["max_grad_norm"] if spec["max_grad_norm"] is not None else float("inf")
    lines, status = [], "complete"
    # LAT serves one batch for several model steps: `batch_step` maps a step to its batch.
    batch_step = getattr(step_loss, "batch_step", lambda s: s)
    for step in range(spec["steps"]):
        b = batch_step(step)
        if job.paired is not None:
            batch = tensors(job.paired_batch(b, r, w), device)
        else:
            batch = row_tensors(job.forget_batch(b, r, w), device)
        noise = None
        if job.spec.get("noise") == "tensors":
            noise = [torch.as_tensor(n, device=device) for n in job.noise(step)]
        if getattr(step_loss, "takes_retain", False):
            rb = job.retain_batch(b, r, w)
            loss, parts = step_loss(model, batch, step, noise, retain=row_tensors(rb, device) if rb is not None else None)
        else:
            loss, parts = step_loss(model, batch, step, noise)
        if spec["retain_weight"] > 0 and not getattr(step_loss, "takes_retain", False):
            rb = job.retain_batch(step, r, w)
            ids = torch.as_tensor(rb.input_ids, device=device)
            logits = model(ids, torch.as_tensor(rb.real, dtype=torch.long, device=device))["logits"]
            ce = response_ce(logits, torch.as_tensor(rb.labels, device=device))
            parts["retain_ce"] = ce.item()
            loss = loss + ce * spec["retain_weight"]
        value = loss.item()
        parts["loss"] = value
        lr = spec["learning_rate"] * lr_factor(step, spec["warmup_steps"], spec["steps"])
        if not math.isfinite(value):
            lines.append(log_line(step + 1, parts, lr, float("nan")))
            status = "diverged"
            break
        loss.backward()
        if not shard and w > 1:
            for p in params:
                if p.grad is not None:
                    dist.all_reduce(p.grad)
                    p.grad /= w
        norm = torch.nn.utils.clip_grad_norm_(params, max_norm)
        norm = float(norm.full_tensor() if hasattr(norm, "full_tensor") else norm)
        if not math.isfinite(norm):
            lines.append(log_line(step + 1, parts, lr, norm))
            status = "diverged"
            break
        for group in optimizer.param_groups:
            group["lr"] = lr
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        lines.append(log_line(step + 1, parts, lr, norm))
        if r == 0 and ((step + 1) % max(1, spec["steps"] // 20) == 0 or step == 0):
            shown = "  ".join(f"{k} {v:.4f}" for k, v in sorted(parts.items()))
            print(f"step {step + 1}/{spec['steps']} {shown}  lr {lr:.2e} |g| {norm:.3f}", file=sys.stderr, flush=True)
    devices = save.gather_devices(device)
    if status == "complete":
        save.weights(model, base, out)
    if r == 0:
        os.makedirs(out, exist_ok=True)
        save.atomic_text(os.path.join(out, "losses.jsonl"), "".join(l + "\n" for l in lines))
        record = save.run_record(job, w, devices, started, status, bf16=bf16, checkpointing=checkpointing, shard=shard,
                                 backend=dist.get_backend() if dist.is_initialized() else "none")
        save.atomic_text(os.path.join(out, "run.json"), json.dumps(record, indent=2) + "\n")
    if dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()
    return 0 if status == "complete" else 1
