"""Reads a job folder (Formats/job.md) and cuts each step's batch for this rank."""

import hashlib
import json
import os
from dataclasses import dataclass

import numpy as np
from safetensors.numpy import load_file


class JobError(Exception):
    pass


@dataclass
class PairedBatch:
    """One rank's rows of a step's paired batch, padded to the global batch length."""
    harmful_ids: np.ndarray   # [b, T] int64
    harmful_real: np.ndarray  # [b, T] bool
    refusal_ids: np.ndarray
    refusal_real: np.ndarray
    mask: np.ndarray          # [b, T] bool: where harmful and refusal differ
    rows: slice               # this rank's rows within the global batch
    global_mask: np.ndarray   # [B, T] bool, every rank's rows
    counts: list              # rows per rank
    prompt_length: np.ndarray = None  # [b] the shared prompt's length (LAT's completions start there)


@dataclass
class RetainBatch:
    """One rank's rows of a retain (or forget) batch."""
    input_ids: np.ndarray     # [b, T]
    real: np.ndarray
    labels: np.ndarray        # [b, T], -100 off the response


class Job:
    def __init__(self, folder):
        self.folder = folder
        with open(os.path.join(folder, "job.json"), "rb") as f:
            raw = f.read()
        self.sha256 = hashlib.sha256(raw).hexdigest()
        self.spec = json.loads(raw)
        if self.spec.get("format") != "temper.job" or self.spec.get("version") != 1:
            raise JobError(f"{folder}/job.json: not a temper.job version 1")
        with open(os.path.join(folder, "config.json")) as f:
            self.config = json.load(f)
        self.operation = self.spec["operation"]
        self.training = self.spec["training"]
        self.model = self.spec["model"]
        # Paired transforms (harden) have data/paired; forget/retain ones (unlearn) data/forget;
        # the fine-tuning attack data/train (the SFT rows, in the forget layout).
        self.paired = optional(os.path.join(folder, "data", "paired.safetensors"))
        self.rows_name = "train" if os.path.exists(os.path.join(folder, "data", "train.safetensors")) else "forget"
        self.forget = optional(os.path.join(folder, "data", f"{self.rows_name}.safetensors"))
        self.order = load_file(os.path.join(folder, "data", "order.safetensors"))
        self.retain = optional(os.path.join(folder, "data", "retain.safetensors"))
        steps = self.training["steps"]
        main = "paired" if self.paired is not None else self.rows_name
        if main not in self.order or (main != "paired" and self.forget is None):
            raise JobError(f"{folder}: data/ has neither paired, forget nor train rows with their order")
        if self.order[main].shape[0] != steps:
            raise JobError(f"{folder}: order has {self.order[main].shape[0]} steps, job.json {steps}")

    @property
    def transform(self):
        """The transform's own config (what `temper harden` records)."""
        return self.config["transform"]

    def paired_batch(self, step, rank, world):
        idx = [int(i) for i in self.order["paired"][step] if i >= 0]
        counts = split_counts(len(idx), world, f"step {step + 1}: paired batch")
        hl, rl = self.paired["harmful_length"][idx], self.paired["refusal_length"][idx]
        length = int(max(max(hl), max(rl)))
        pos = np.arange(length)[None, :]
        h_real, r_real = pos < hl[:, None], pos < rl[:, None]
        h = self.paired["harmful_ids"][idx, :length].astype(np.int64)
        r = self.paired["refusal_ids"][idx, :length].astype(np.int64)
        mask = self.paired["mask"][idx, :length].astype(bool)
        start = sum(counts[:rank])
        rows = slice(start, start + counts[rank])
        prompt = self.paired["prompt_length"][idx].astype(np.int64) if "prompt_length" in self.paired else None
        return PairedBatch(h[rows], h_real[rows], r[rows], r_real[rows], mask[rows], rows, mask, counts,
                           prompt[rows] if prompt is not None else None)

    def retain_batch(self, step, rank, world):
        if self.retain is None or "retain" not in self.order:
            return None
        return self._rows_batch(self.retain, "retain", step, rank, world)

    def forget_batch(self, step, rank, world):
        """This rank's rows of the step's forget (attack: train) batch, in the layout of a retain batch."""
        return self._rows_batch(self.forget, self.rows_name, step, rank, world)

    def _rows_batch(self, data, name, step, rank, world):
        idx = [int(i) for i in self.order[name][step] if i >= 0]
        counts = split_counts(len(idx), world, f"step {step + 1}: {name} batch")
        lengths = data["length"][idx]
        length = int(max(lengths))
        real = np.arange(length)[None, :] < lengths[:, None]
        start = sum(counts[:rank])
        rows = slice(start, start + counts[rank])
        ids = data["input_ids"][idx, :length].astype(np.int64)
        labels = data["labels"][idx, :length].astype(np.int64)
        return RetainBatch(ids[rows], real[rows], labels[rows])

    def noise(self, step):
        """Temper's Gaussian samples of a step: {layer: [n, hidden] float32} at the masked positions."""
        path = os.path.join(self.folder, "noise", f"step-{step:06d}.safetensors")
        if not os.path.exists(path):
            raise JobError(f"{path}: missing (the job's noise comes from Temper)")
        data = load_file(path)
        return [data[f"layer.{l}"] for l in range(self.model["layers"])]


def optional(path):
    return load_file(path) if os.path.exists(path) else None


def split_counts(n, world, what):
    """Rows per rank: contiguous, as even as possible (the first n % world ranks get one more)."""
    if n < world:
        raise JobError(f"{what} has {n} rows, fewer than the {world} ranks; use fewer processes or a larger batch")
    return [n // world + (1 if r < n % world else 0) for r in range(world)]
