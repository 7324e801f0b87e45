#!/usr/bin/env python3
"""PyTorch peer of Benchmarks/train_step/main.swift: the same Llama-style stack (transformers
LlamaForCausalLM, SDPA attention, untied embeddings), the same shapes, AdamW, 2 threads."""
import statistics
import sys
import time

import torch
from transformers import LlamaConfig, LlamaForCausalLM

torch.set_num_threads(2)
torch.manual_seed(0)
CONFIGS = {
    "a": dict(hidden=128, layers=4, heads=4, kv=2, inter=352, seq=64, batch=16, vocab=320, steps=30),
    "b": dict(hidden=512, layers=8, heads=8, kv=8, inter=1376, seq=128, batch=8, vocab=4096, steps=6),
}

def run(name, c):
    config = LlamaConfig(vocab_size=c["vocab"], hidden_size=c["hidden"], intermediate_size=c["inter"],
                         num_hidden_layers=c["layers"], num_attention_heads=c["heads"], num_key_value_heads=c["kv"],
                         max_position_embeddings=c["seq"], rms_norm_eps=1e-5, tie_word_embeddings=False,
                         attn_implementation="sdpa")
    model = LlamaForCausalLM(config)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    ids = torch.randint(0, c["vocab"], (c["batch"], c["seq"]))
    labels = torch.roll(ids, -1)
    times = []
    for step in range(c["steps"] + 2):
        t0 = time.perf_counter()
        opt.zero_grad()
        logits = model(input_ids=ids).logits
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, c["vocab"]), labels.reshape(-1))
        loss.backward()
        opt.step()
        if step >= 2:
            times.append(time.perf_counter() - t0)
    params = sum(p.numel() for p in model.parameters())
    print(f"torch {name} params={params / 1e6:.2f}M step_ms_min={min(times) * 1e3:.1f} "
          f"step_ms_median={statistics.median(times) * 1e3:.1f} loss={loss.item():.4f}")

which = sys.argv[1] if len(sys.argv) > 1 else "all"
for name, c in CONFIGS.items():
    if which in ("all", name):
        run(name, c)
