"""Temper's transforms on PyTorch's distributed engine (torchrun + FSDP2).

The engine reads a job folder written by `temper job export` (Formats/job.md) and runs the
transform exactly as Temper's Swift trainer does: the same tokenized data, batch order and
Gaussian noise (supplied by Temper), the same masks and reductions, AdamW with linear
warm-up + cosine decay and global-norm clipping. Each method is one module in `methods/`.
"""

__version__ = "1"
