#!/usr/bin/env python3
"""PyTorch reference values for TemperTensor's tests.

Regenerate (from the repo root, with torch + transformers + safetensors installed):
    python Fixtures/tensor/make_torch_reference.py
Writes Fixtures/tensor/torch_reference.safetensors. Every input is generated here from a
fixed numpy seed and saved next to the outputs, so the Swift tests never need Python.

Naming: "<case>.<input>" inputs, "<case>.out" forward output, "<case>.proj" a random
weight tensor shaped like the output, "<case>.grad.<input>" = d sum(out * proj) / d input.
"""
import math
import os

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.numpy import save_file
from transformers.models.llama.modeling_llama import apply_rotary_pos_emb as llama_rope
from transformers.models.gptj.modeling_gptj import apply_rotary_pos_emb as gptj_rope
from transformers.models.gptj.modeling_gptj import create_sinusoidal_positions
from transformers import get_cosine_schedule_with_warmup, get_linear_schedule_with_warmup
from transformers.optimization import get_cosine_with_min_lr_schedule_with_warmup

torch.set_num_threads(1)
rng = np.random.default_rng(20240607)
out: dict[str, np.ndarray] = {}


def normal(*shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def positive(*shape):
    return (np.abs(rng.standard_normal(shape)) + 0.2).astype(np.float32)


def record(name, inputs, fn):
    """inputs: list of (key, float32 array); all require grad."""
    tensors = []
    for key, a in inputs:
        out[f"{name}.{key}"] = a
        tensors.append(torch.tensor(a, requires_grad=True))
    y = fn(*tensors)
    proj = normal(*y.shape)
    out[f"{name}.out"] = y.detach().numpy().astype(np.float32)
    out[f"{name}.proj"] = proj
    (y * torch.tensor(proj)).sum().backward()
    for (key, a), t in zip(inputs, tensors):
        g = t.grad.numpy() if t.grad is not None else np.zeros_like(a)
        out[f"{name}.grad.{key}"] = g.astype(np.float32)


def ints(name, values):
    out[name] = np.asarray(values, dtype=np.int64)


# --- broadcasting arithmetic -------------------------------------------------
record("add", [("a", normal(2, 3, 4)), ("b", normal(3, 1))], lambda a, b: a + b)
record("sub", [("a", normal(4, 1)), ("b", normal(3))], lambda a, b: a - b)
record("mul", [("a", normal(2, 3, 4)), ("b", normal(4))], lambda a, b: a * b)
record("div", [("a", normal(2, 3)), ("b", positive(2, 1))], lambda a, b: a / b)

# --- elementwise -------------------------------------------------------------
unary = {
    "neg": lambda x: -x, "exp": torch.exp, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
    "relu": torch.relu, "silu": F.silu, "gelu": F.gelu,
    "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"), "abs": torch.abs,
    "softplus": F.softplus, "logsigmoid": F.logsigmoid, "square": torch.square,
    "pow3": lambda x: x ** 3, "clamp": lambda x: torch.clamp(x, -0.5, 0.5),
    "affine": lambda x: x * 2.5 + 1.0, "rsub": lambda x: 1.0 - x,
}
for key, fn in unary.items():
    record(f"unary_{key}", [("x", normal(3, 5, scale=2.0))], fn)
for key, fn in {"log": torch.log, "sqrt": torch.sqrt, "rsqrt": torch.rsqrt,
                "reciprocal": torch.reciprocal, "pow_half": lambda x: x ** 0.5}.items():
    record(f"unary_{key}", [("x", positive(3, 5))], fn)

# --- products ----------------------------------------------------------------
record("matmul_nn", [("a", normal(2, 3, 4)), ("b", normal(2, 4, 5))], lambda a, b: a @ b)
record("matmul_nt", [("a", normal(2, 3, 4)), ("b", normal(2, 5, 4))], lambda a, b: a @ b.transpose(-1, -2))
record("matmul_tn", [("a", normal(2, 4, 3)), ("b", normal(2, 4, 5))], lambda a, b: a.transpose(-1, -2) @ b)
record("matmul_tt", [("a", normal(2, 4, 3)), ("b", normal(2, 5, 4))],
       lambda a, b: a.transpose(-1, -2) @ b.transpose(-1, -2))
record("matmul_shared_b", [("a", normal(2, 3, 4)), ("b", normal(4, 5))], lambda a, b: a @ b)
record("matmul_shared_bt", [("a", normal(2, 3, 4)), ("b", normal(5, 4))], lambda a, b: a @ b.T)
record("matmul_shared_b_ta", [("a", normal(2, 4, 3)), ("b", normal(4, 5))], lambda a, b: a.transpose(-1, -2) @ b)
record("matmul_shared_a", [("a", normal(3, 4)), ("b", normal(2, 4, 5))], lambda a, b: a @ b)
record("linear", [("x", normal(2, 3, 4)), ("w", normal(5, 4)), ("b", normal(5))], F.linear)
record("linear_nobias", [("x", normal(6, 4)), ("w", normal(3, 4))], F.linear)

# --- reductions and data movement --------------------------------------------
record("sum_all", [("x", normal(2, 3, 4))], lambda x: x.sum())
record("sum_02_keep", [("x", normal(2, 3, 4))], lambda x: x.sum(dim=(0, 2), keepdim=True))
record("mean_last", [("x", normal(2, 3, 4))], lambda x: x.mean(dim=-1))
record("max_1", [("x", normal(2, 5, 3))], lambda x: x.max(dim=1).values)
record("permute", [("x", normal(2, 3, 4))], lambda x: x.permute(2, 0, 1).contiguous())
record("transpose_02", [("x", normal(2, 3, 4))], lambda x: x.transpose(0, 2).contiguous())
record("slice", [("x", normal(3, 5, 2))], lambda x: x[:, 1:4, :])
record("concat", [("a", normal(2, 3)), ("b", normal(2, 1)), ("c", normal(2, 2))], lambda a, b, c: torch.cat([a, b, c], 1))
ints("index_select.idx", [4, 0, 4, 2])
record("index_select", [("x", normal(5, 3))], lambda x: x.index_select(0, torch.tensor([4, 0, 4, 2])))
record("expand", [("x", normal(3, 1))], lambda x: x.expand(2, 3, 4).contiguous())

# --- softmax family (large logits for stability) ------------------------------
big = normal(4, 7, scale=10.0)
big[1] += 1000.0
big[2, 3] = 200.0
record("softmax", [("x", big)], lambda x: torch.softmax(x, -1))
record("log_softmax", [("x", big.copy())], lambda x: torch.log_softmax(x, -1))
record("softmax_axis0", [("x", normal(3, 4, scale=3.0))], lambda x: torch.softmax(x, 0))

# --- normalisation -------------------------------------------------------------
def hf_rmsnorm(x, w, eps=1e-5):
    variance = x.pow(2).mean(-1, keepdim=True)
    return w * (x * torch.rsqrt(variance + eps))

record("rmsnorm", [("x", normal(2, 3, 8)), ("w", normal(8))], hf_rmsnorm)
record("layernorm", [("x", normal(2, 3, 8, scale=3.0)), ("w", normal(8)), ("b", normal(8))],
       lambda x, w, b: F.layer_norm(x, (8,), w, b, 1e-5))
record("layernorm_plain", [("x", normal(4, 6))], lambda x: F.layer_norm(x, (6,), None, None, 1e-5))

# --- embedding -----------------------------------------------------------------
ints("embedding.ids", [[1, 3, 3], [9, 0, 1]])
record("embedding", [("w", normal(10, 4))], lambda w: F.embedding(torch.tensor([[1, 3, 3], [9, 0, 1]]), w))

# --- rotary embeddings (our layout [B, T, H, D]) ---------------------------------
def hf_cos_sin(positions, dim, theta=10000.0):
    inv_freq = 1.0 / (theta ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
    freqs = positions[..., None].float() * inv_freq
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos(), emb.sin()

def rope_halves(x, positions):  # x [B, T, H, D]; positions [B, T]
    cos, sin = hf_cos_sin(positions, x.shape[-1])
    q = x.transpose(1, 2)
    rotated, _ = llama_rope(q, q, cos, sin)
    return rotated.transpose(1, 2).contiguous()

ints("rope_halves.positions", [0, 1, 2, 3, 4])
record("rope_halves", [("x", normal(2, 5, 3, 8))], lambda x: rope_halves(x, torch.arange(5).expand(2, 5)))
ints("rope_batched.positions", [[0, 1, 2, 3], [5, 6, 7, 8]])
record("rope_batched", [("x", normal(2, 4, 2, 6))], lambda x: rope_halves(x, torch.tensor([[0, 1, 2, 3], [5, 6, 7, 8]])))

def rope_gptj(x, rotary_dim=4):  # GPT-J partial rotary on [B, T, H, D]
    T = x.shape[1]
    sincos = create_sinusoidal_positions(T, rotary_dim)[torch.arange(T)][None]
    sin, cos = torch.split(sincos, rotary_dim // 2, dim=-1)
    rot, rest = x[..., :rotary_dim], x[..., rotary_dim:]
    return torch.cat([gptj_rope(rot, sin, cos), rest], dim=-1)

record("rope_gptj", [("x", normal(2, 5, 3, 8))], rope_gptj)

# --- attention ---------------------------------------------------------------------
def attention(q, k, v, causal, key_mask):  # [B, T, H, D] layouts, key_mask [B, S] bool
    q, k, v = (t.transpose(1, 2) for t in (q, k, v))
    rep = q.shape[1] // k.shape[1]
    k = k.repeat_interleave(rep, dim=1)
    v = v.repeat_interleave(rep, dim=1)
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    T, S = scores.shape[-2:]
    allowed = torch.ones(T, S, dtype=torch.bool)
    if causal:
        allowed = torch.ones(T, S, dtype=torch.bool).tril(S - T)
    allowed = allowed[None, None] & key_mask[:, None, None, :]
    scores = scores.masked_fill(~allowed, float("-inf"))
    return (torch.softmax(scores, -1) @ v).transpose(1, 2).contiguous()

mask = torch.tensor([[True] * 5, [True, True, True, False, False]])
ints("attention_gqa.key_mask", mask.long().tolist())
record("attention_gqa", [("q", normal(2, 5, 4, 8)), ("k", normal(2, 5, 2, 8)), ("v", normal(2, 5, 2, 8))],
       lambda q, k, v: attention(q, k, v, True, mask))
cross_mask = torch.tensor([[True, False, True, True, True, False]])
ints("attention_cross.key_mask", cross_mask.long().tolist())
record("attention_cross", [("q", normal(1, 3, 2, 4)), ("k", normal(1, 6, 1, 4)), ("v", normal(1, 6, 1, 6))],
       lambda q, k, v: attention(q, k, v, False, cross_mask))
record("attention_causal_offset", [("q", normal(1, 2, 2, 4)), ("k", normal(1, 4, 2, 4)), ("v", normal(1, 4, 2, 4))],
       lambda q, k, v: attention(q, k, v, True, torch.ones(1, 4, dtype=torch.bool)))

# --- losses ------------------------------------------------------------------------
targets = [0, 4, -100, 2, 2, 1]
ints("ce.targets", targets)
logits = normal(6, 5, scale=20.0)
for red in ["mean", "sum", "none"]:
    record(f"ce_{red}", [("x", logits.copy())],
           lambda x, red=red: F.cross_entropy(x, torch.tensor(targets), ignore_index=-100, reduction=red))
ints("ce_3d.targets", [[1, 2, 0], [4, -100, 3]])
record("ce_3d", [("x", normal(2, 3, 5))],
       lambda x: F.cross_entropy(x.reshape(6, 5), torch.tensor([1, 2, 0, 4, -100, 3]), ignore_index=-100))
record("mse", [("a", normal(3, 4)), ("b", normal(3, 4))], F.mse_loss)
record("sqdist", [("x", normal(4, 3)), ("y", normal(5, 3))],
       lambda x, y: ((x[:, None, :] - y[None, :, :]) ** 2).sum(-1))
record("gaussian_kernel", [("x", normal(4, 3)), ("y", normal(5, 3))],
       lambda x, y: torch.exp(-((x[:, None, :] - y[None, :, :]) ** 2).sum(-1) / 2.5))

# --- optimizers ----------------------------------------------------------------------
X, Y = normal(8, 4), normal(8, 3)
W0, B0 = normal(4, 3), normal(3)
out["opt.X"], out["opt.Y"], out["opt.W0"], out["opt.B0"] = X, Y, W0, B0

def trajectory(name, make, steps=20):
    W = torch.tensor(W0, requires_grad=True)
    B = torch.tensor(B0, requires_grad=True)
    opt = make([W, B])
    history = []
    for _ in range(steps):
        opt.zero_grad()
        loss = F.mse_loss(torch.tensor(X) @ W + B, torch.tensor(Y))
        loss.backward()
        opt.step()
        history.append(np.concatenate([W.detach().numpy().ravel(), B.detach().numpy().ravel()]))
    out[f"opt.{name}"] = np.stack(history).astype(np.float32)

trajectory("adamw", lambda p: torch.optim.AdamW(p, lr=1e-2, weight_decay=0.1))
trajectory("adam_l2", lambda p: torch.optim.Adam(p, lr=1e-2, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05))
trajectory("sgd_nesterov", lambda p: torch.optim.SGD(p, lr=5e-2, momentum=0.9, nesterov=True, weight_decay=0.01))
trajectory("sgd_dampened", lambda p: torch.optim.SGD(p, lr=5e-2, momentum=0.8, dampening=0.3))

g1, g2 = normal(3, 4), normal(5)
out["clip.g1"], out["clip.g2"] = g1, g2
p1, p2 = torch.zeros(3, 4, requires_grad=True), torch.zeros(5, requires_grad=True)
p1.grad, p2.grad = torch.tensor(g1), torch.tensor(g2)
total = torch.nn.utils.clip_grad_norm_([p1, p2], max_norm=1.0)
out["clip.total"] = np.asarray([total.item()], dtype=np.float32)
out["clip.g1_clipped"], out["clip.g2_clipped"] = p1.grad.numpy(), p2.grad.numpy()

dummy = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
for name, sched in {
    "cosine": get_cosine_schedule_with_warmup(dummy, 10, 100),
    "cosine_cycles": get_cosine_schedule_with_warmup(dummy, 5, 60, num_cycles=1.5),
    "linear": get_linear_schedule_with_warmup(dummy, 10, 100),
    "cosine_min": get_cosine_with_min_lr_schedule_with_warmup(dummy, 10, 100, min_lr_rate=0.1),
}.items():
    out[f"schedule.{name}"] = np.asarray([sched.lr_lambdas[0](s) for s in range(0, 111)], dtype=np.float64)

# --- dtype conversions ------------------------------------------------------------------
specials = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 65504.0, 65519.0, 65520.0, 1e-8, 5.960464477539063e-08,
                     2.9802322387695312e-08, 2.98e-08, 1.0 + 2 ** -8, 1.0 + 3 * 2 ** -8, 1.0 + 2 ** -11,
                     1.0 + 3 * 2 ** -11, 6.1e-5, 3.4e38, -1.5e-39, 1e-45], dtype=np.float32)
values = np.concatenate([specials, normal(200, scale=3.0), normal(100, scale=1e-5), normal(100, scale=1e4)])
out["dtype.values"] = values
t = torch.tensor(values)
out["dtype.f16_bits"] = (t.to(torch.float16).view(torch.int16).numpy().astype(np.int64) & 0xFFFF)
out["dtype.bf16_bits"] = (t.to(torch.bfloat16).view(torch.int16).numpy().astype(np.int64) & 0xFFFF)

# --- RNG: independent Python xoshiro256** (splitmix64 seeding) ----------------------------
M = (1 << 64) - 1

def xoshiro_outputs(seed, n):
    x = seed
    state = []
    for _ in range(4):
        x = (x + 0x9E3779B97F4A7C15) & M
        z = x
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
        state.append(z ^ (z >> 31))
    s = state
    rotl = lambda v, k: ((v << k) | (v >> (64 - k))) & M
    result = []
    for _ in range(n):
        result.append((rotl((s[1] * 5) & M, 7) * 9) & M)
        t = (s[1] << 17) & M
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
    return result

for seed in [0, 42]:
    out[f"rng.seed{seed}"] = np.array(xoshiro_outputs(seed, 8), dtype=np.uint64).view(np.int64)
raw = xoshiro_outputs(7, 8)
normals = []
for i in range(0, 8, 2):
    u1 = 1.0 - (raw[i] >> 11) * 2.0 ** -53
    u2 = (raw[i + 1] >> 11) * 2.0 ** -53
    r = math.sqrt(-2.0 * math.log(u1))
    normals += [r * math.cos(2 * math.pi * u2), r * math.sin(2 * math.pi * u2)]
out["rng.normals_seed7"] = np.array(normals, dtype=np.float64)

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch_reference.safetensors")
save_file({k: np.require(v, requirements="C") for k, v in sorted(out.items())}, path,
          metadata={"generator": "Fixtures/tensor/make_torch_reference.py", "torch": torch.__version__})
print(f"wrote {path}: {len(out)} arrays, {os.path.getsize(path)} bytes")
