"""PyTorch peer of TemperBench `ops`: each op of the training stack timed alone at the same
shapes, forward (no grad) and backward of that one op (torch.autograd.grad with a seed).

    python ops_peer.py --config a|b [--repeats N] [--threads 2]
"""
import argparse

import torch
import torch.nn.functional as F

from common import median, note, report, samples
from train_peer import CONFIGS, rotate_half


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", default="a", choices=CONFIGS)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(7)
    c = CONFIGS[args.config]
    b, t, h, l, v, i = c["batch"], c["seq"], c["hidden"], c["layers"], c["vocab"], c["intermediate"]
    nh, nkv = c["heads"], c["kv_heads"]
    d = h // nh

    def x(*shape):
        return torch.randn(*shape, requires_grad=True)

    def w(*shape):
        return (torch.randn(*shape) * 0.02).requires_grad_()

    inv = 1.0 / (10000 ** (torch.arange(0, d, 2, dtype=torch.float32) / d))
    angles = torch.outer(torch.arange(t, dtype=torch.float32), inv)
    emb = torch.cat((angles, angles), dim=-1)
    cos, sin = emb.cos(), emb.sin()
    ids = torch.randint(0, v, (b, t))
    rms = torch.nn.RMSNorm(h, eps=1e-5)

    def rope(q):  # q [B, H, T, D] as in the peer model
        return q * cos + rotate_half(q) * sin

    probes = [
        ("embedding", 1, [w(v, h)], lambda a: F.embedding(ids, a[0])),
        ("rmsnorm [B,T,H]", 2 * l + 1, [x(b, t, h), rms.weight], lambda a: rms(a[0])),
        ("linear q,o H→H", 2 * l, [x(b, t, h), w(h, h)], lambda a: F.linear(a[0], a[1])),
        ("linear k,v H→kv", 2 * l, [x(b, t, h), w(nkv * d, h)], lambda a: F.linear(a[0], a[1])),
        ("linear gate,up H→I", 2 * l, [x(b, t, h), w(i, h)], lambda a: F.linear(a[0], a[1])),
        ("linear down I→H", l, [x(b, t, i), w(h, i)], lambda a: F.linear(a[0], a[1])),
        ("lm_head H→V", 1, [x(b, t, h), w(v, h)], lambda a: F.linear(a[0], a[1])),
        ("rope q", l, [x(b, nh, t, d)], lambda a: rope(a[0])),
        ("rope k", l, [x(b, nkv, t, d)], lambda a: rope(a[0])),
        ("attention (causal, GQA)", l, [x(b, nh, t, d), x(b, nkv, t, d), x(b, nkv, t, d)],
         lambda a: F.scaled_dot_product_attention(a[0], a[1], a[2], is_causal=True, enable_gqa=nkv != nh)),
        ("silu [B,T,I]", l, [x(b, t, i)], lambda a: F.silu(a[0])),
        ("mul [B,T,I]", l, [x(b, t, i), x(b, t, i)], lambda a: a[0] * a[1]),
        ("add [B,T,H]", 2 * l, [x(b, t, h), x(b, t, h)], lambda a: a[0] + a[1]),
        ("cross-entropy [BT,V]", 1, [x(b * t, v)], lambda a: F.cross_entropy(a[0], ids.view(-1))),
    ]
    rows, total = [], 0.0
    for name, per_step, inputs, op in probes:
        with torch.no_grad():
            forward = median(samples(lambda: op(inputs), args.repeats))
        out = op(inputs)
        seed = torch.randn_like(out)
        backward = median(samples(lambda: torch.autograd.grad(out, inputs, seed, retain_graph=True), args.repeats))
        share = per_step * (forward + backward) + (5 * l * forward if name.startswith("add") else 0)
        total += share
        rows.append({"op": name, "forward_ms": forward * 1e3, "backward_ms": backward * 1e3, "per_step": per_step,
                     "step_share_ms": share * 1e3})
        note(f"{name:28} fwd {forward * 1e3:8.3f} ms  bwd {backward * 1e3:8.3f} ms  ×{per_step:<3} → {share * 1e3:8.2f} ms/step")
    report({"benchmark": f"ops_{args.config}", "peer": f"torch {torch.__version__}", "ops": rows, "sum_of_ops_ms": total * 1e3})


if __name__ == "__main__":
    main()
