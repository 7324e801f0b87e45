"""Differentiable collectives for losses that need the whole global batch.

Every rank computes the same global loss from its share of the batch; these operations
carry gradients back to each rank's share. Backward sums over ranks, so each rank's local
gradient is world_size × the single-process one, and FSDP2's averaging reduce-scatter
divides it back: the update equals the single-process update. Written with all_reduce
only, so they work on gloo as on nccl.
"""

import torch
import torch.distributed as dist


def world_size():
    return dist.get_world_size() if dist.is_available() and dist.is_initialized() else 1


def rank():
    return dist.get_rank() if dist.is_available() and dist.is_initialized() else 0


class _AllReduceSum(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        y = x.clone()
        if world_size() > 1:
            dist.all_reduce(y)
        return y

    @staticmethod
    def backward(ctx, g):
        g = g.clone()
        if world_size() > 1:
            dist.all_reduce(g)
        return g


class _GatherRows(torch.autograd.Function):
    """All ranks' rows stacked in rank order (rows may differ in count per rank)."""

    @staticmethod
    def forward(ctx, x, counts):
        ctx.counts = counts
        r = rank()
        start = sum(counts[:r])
        full = x.new_zeros((sum(counts),) + tuple(x.shape[1:]))
        full[start:start + counts[r]] = x
        if world_size() > 1:
            dist.all_reduce(full)
        return full

    @staticmethod
    def backward(ctx, g):
        g = g.clone()
        if world_size() > 1:
            dist.all_reduce(g)
        r = rank()
        start = sum(ctx.counts[:r])
        return g[start:start + ctx.counts[r]], None


def global_sum(x):
    """Sum of `x` over ranks, with gradient."""
    return _AllReduceSum.apply(x)


def gather_rows(x, counts):
    """Concatenation over ranks of each rank's rows (`counts[r]` rows on rank r), with gradient."""
    return _GatherRows.apply(x, counts)


def sum_no_grad(x):
    y = x.detach().clone()
    if world_size() > 1:
        dist.all_reduce(y)
    return y
