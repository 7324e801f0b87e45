"""PyTorch peer of TemperBench `train`: the same Llama-style stack built by hand from torch ops
(embedding, RMSNorm, q/k/v/o linears, RoPE rotate_half, causal GQA scaled_dot_product_attention,
SwiGLU, lm_head, cross-entropy), default torch.optim.AdamW, 2 threads, same shapes.

    python train_peer.py --config a|b [--steps N] [--warmup N] [--threads 2]
"""
import argparse
import math

import torch
import torch.nn.functional as F
from torch import nn

from common import median, note, report, samples

CONFIGS = {
    "a": dict(hidden=128, layers=4, heads=4, kv_heads=2, intermediate=352, seq=64, batch=16, vocab=320),
    "b": dict(hidden=512, layers=8, heads=8, kv_heads=8, intermediate=1376, seq=128, batch=8, vocab=4096),
    # SmolLM2-135M's shape (untied lm_head here).
    "c": dict(hidden=576, layers=30, heads=9, kv_heads=3, intermediate=1536, seq=128, batch=4, vocab=49152),
}
EPS = 1e-5


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        h, d = c["hidden"], c["hidden"] // c["heads"]
        self.heads, self.kv_heads, self.head_dim = c["heads"], c["kv_heads"], d
        self.attn_norm = nn.RMSNorm(h, eps=EPS)
        self.wq = nn.Linear(h, c["heads"] * d, bias=False)
        self.wk = nn.Linear(h, c["kv_heads"] * d, bias=False)
        self.wv = nn.Linear(h, c["kv_heads"] * d, bias=False)
        self.wo = nn.Linear(c["heads"] * d, h, bias=False)
        self.mlp_norm = nn.RMSNorm(h, eps=EPS)
        self.gate = nn.Linear(h, c["intermediate"], bias=False)
        self.up = nn.Linear(h, c["intermediate"], bias=False)
        self.down = nn.Linear(c["intermediate"], h, bias=False)

    def forward(self, x, cos, sin):
        b, t, _ = x.shape
        h = self.attn_norm(x)
        q = self.wq(h).view(b, t, self.heads, self.head_dim).transpose(1, 2)
        k = self.wk(h).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.wv(h).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        a = F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=self.kv_heads != self.heads)
        x = x + self.wo(a.transpose(1, 2).reshape(b, t, -1))
        m = self.mlp_norm(x)
        return x + self.down(F.silu(self.gate(m)) * self.up(m))


class LlamaStack(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.embed = nn.Embedding(c["vocab"], c["hidden"])
        self.blocks = nn.ModuleList(Block(c) for _ in range(c["layers"]))
        self.norm = nn.RMSNorm(c["hidden"], eps=EPS)
        self.lm_head = nn.Linear(c["hidden"], c["vocab"], bias=False)
        for p in self.parameters():
            if p.dim() == 2:
                nn.init.normal_(p, std=0.02)
        d = c["hidden"] // c["heads"]
        inv = 1.0 / (10000 ** (torch.arange(0, d, 2, dtype=torch.float32) / d))
        angles = torch.outer(torch.arange(c["seq"], dtype=torch.float32), inv)
        emb = torch.cat((angles, angles), dim=-1)
        self.register_buffer("cos", emb.cos(), persistent=False)
        self.register_buffer("sin", emb.sin(), persistent=False)

    def forward(self, ids, targets):
        x = self.embed(ids)
        for block in self.blocks:
            x = block(x, self.cos, self.sin)
        logits = self.lm_head(self.norm(x))
        return F.cross_entropy(logits.view(-1, self.c["vocab"]), targets.view(-1))


def flops(c):
    """Same formula as TemperBench (LlamaBenchConfig): forward = 2·N·tokens + 4·L·H·D·T·tokens."""
    d = c["hidden"] // c["heads"]
    attention = c["hidden"] * c["heads"] * d * 2 + 2 * c["hidden"] * c["kv_heads"] * d
    n = c["layers"] * (attention + 3 * c["hidden"] * c["intermediate"]) + c["hidden"] * c["vocab"]
    tokens = c["seq"] * c["batch"]
    forward = 2 * n * tokens + 4 * c["layers"] * c["heads"] * d * c["seq"] * tokens
    return n, forward


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", default="a", choices=CONFIGS)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--gemm-n", type=int, default=2048)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(42)
    c = CONFIGS[args.config]

    a, b = torch.randn(args.gemm_n, args.gemm_n), torch.randn(args.gemm_n, args.gemm_n)
    gemm_times = samples(lambda: torch.mm(a, b), 3)
    gemm_gflops = 2 * args.gemm_n ** 3 / median(gemm_times) / 1e9
    del a, b

    model = LlamaStack(c)
    ids = torch.randint(0, c["vocab"], (c["batch"], c["seq"]))
    targets = torch.randint(0, c["vocab"], (c["batch"], c["seq"]))
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01)

    import time
    fwd, bwd, upd, total, losses = [], [], [], [], []
    for step in range(args.warmup + args.steps):
        t0 = time.perf_counter()
        loss = model(ids, targets)
        t1 = time.perf_counter()
        loss.backward()
        t2 = time.perf_counter()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        t3 = time.perf_counter()
        losses.append(loss.item())
        if step >= args.warmup:
            fwd.append(t1 - t0); bwd.append(t2 - t1); upd.append(t3 - t2); total.append(t3 - t0)
            note(f"torch {args.config} step {step - args.warmup}: {t3 - t0:.3f} s (fwd {t1 - t0:.3f}, bwd {t2 - t1:.3f}, adamw {t3 - t2:.3f}) loss {losses[-1]:.4f}")

    with torch.inference_mode():
        inference = samples(lambda: model(ids, targets), args.steps)

    n, forward_flops = flops(c)
    step_s, forward_s = median(total), median(inference)
    tokens = c["seq"] * c["batch"]
    report({
        "benchmark": f"train_{args.config}", "peer": f"torch {torch.__version__}", "threads": torch.get_num_threads(),
        "parameters": sum(p.numel() for p in model.parameters()), "matmul_parameters": n,
        "step_times_s": total, "step_s": step_s, "tokens_per_s": tokens / step_s,
        "forward_s": median(fwd), "backward_s": median(bwd), "adamw_s": median(upd),
        "gflops": 3 * forward_flops / step_s / 1e9,
        "forward_only_times_s": inference, "forward_only_s": forward_s, "forward_only_tokens_per_s": tokens / forward_s,
        "forward_only_gflops": forward_flops / forward_s / 1e9,
        "torch_mm_gflops": gemm_gflops, "loss_first": losses[0], "loss_last": losses[-1],
    })


if __name__ == "__main__":
    main()
