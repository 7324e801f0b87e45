"""The engine's output: weights with the base's tensor names, dtypes and sharding, plus the
run record. Files are written under a temporary name and renamed into place."""

import datetime
import json
import os
import platform
import sys
import time

import torch
import torch.distributed as dist
from safetensors import safe_open
from safetensors.torch import save_file

DTYPES = {"F32": torch.float32, "BF16": torch.bfloat16, "F16": torch.float16, "F64": torch.float64}
INDEX = "model.safetensors.index.json"


def atomic_text(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def base_layout(base):
    """{file: [(name, dtype), …]} of the base's safetensors files, in each file's order."""
    index = os.path.join(base, INDEX)
    if os.path.exists(index):
        with open(index) as f:
            files = sorted(set(json.load(f)["weight_map"].values()))
    else:
        files = sorted(n for n in os.listdir(base) if n.endswith(".safetensors"))
    layout = {}
    for name in files:
        with safe_open(os.path.join(base, name), framework="pt") as f:
            layout[name] = [(k, f.get_slice(k).get_dtype()) for k in f.keys()]
    return layout


def full_state(model):
    """Every parameter and buffer as a full CPU tensor (a collective: all ranks call it)."""
    out = {}
    for name, t in model.hf.state_dict().items():
        t = t.full_tensor() if hasattr(t, "full_tensor") else t
        out[name.replace("_checkpoint_wrapped_module.", "")] = t.detach().to("cpu")
    return out


def weights(model, base, out):
    state = full_state(model)
    if (dist.get_rank() if dist.is_initialized() else 0) != 0:
        return
    os.makedirs(out, exist_ok=True)
    layout = base_layout(base)
    total = 0
    weight_map = {}
    for file, names in layout.items():
        tensors = {}
        for name, dtype in names:
            if name not in state:
                raise ValueError(f"{base}/{file}: tensor '{name}' has no counterpart in the trained model")
            if dtype not in DTYPES:
                raise ValueError(f"{base}/{file}: tensor '{name}' has dtype {dtype}, which the engine does not write")
            tensors[name] = state[name].to(DTYPES[dtype]).contiguous()
            total += tensors[name].numel() * tensors[name].element_size()
            weight_map[name] = file
        tmp = os.path.join(out, file + ".tmp")
        save_file(tensors, tmp, metadata={"format": "pt"})
        os.replace(tmp, os.path.join(out, file))
    if os.path.exists(os.path.join(base, INDEX)):
        atomic_text(os.path.join(out, INDEX), json.dumps({"metadata": {"total_size": total}, "weight_map": weight_map}, indent=2) + "\n")


def gather_devices(device):
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else platform.processor() or platform.machine()
    mine = f"{device} ({name})"
    if not dist.is_initialized():
        return [mine]
    all_devices = [None] * dist.get_world_size()
    dist.all_gather_object(all_devices, mine)
    return all_devices


def run_record(job, world, devices, started, status, bf16, checkpointing, shard, backend):
    import safetensors
    import transformers

    iso = lambda t: datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    finished = time.time()
    return {
        "engine": "temper_engine (torch)",
        "launcher": job.spec["engine"],
        "status": status,
        "world_size": world,
        "backend": backend,
        "devices": devices,
        "fsdp2": shard,
        "activation_checkpointing": checkpointing,
        "mixed_precision": "bf16" if bf16 else "fp32",
        "steps": job.training["steps"],
        "versions": {"python": platform.python_version(), "torch": torch.__version__, "transformers": transformers.__version__,
                     "safetensors": safetensors.__version__},
        "host": platform.node(),
        "started": iso(started),
        "finished": iso(finished),
        "wall_seconds": round(finished - started, 3),
        "job_sha256": job.sha256,
    }
