"""A random Llama for the degeneracy audit's timing runs (numpy + safetensors, no torch).

    python Experiments/make_random_llama.py OUT [--hidden 512 --layers 8 --heads 8 --inner 1376 --vocab 4096]

Weights N(0, 0.02), norms 1, untied lm_head, seed 0; the fixture world's tokenizer is copied
in (its ids are all < vocab), so `temper audit degeneracy OUT --data …` reads world data.
hidden 512 / 8 layers / vocab 4096 is Benchmarks' config (b): 29.5 M parameters.
"""
import argparse
import json
import os
import shutil

import numpy as np
from safetensors.numpy import save_file

p = argparse.ArgumentParser()
p.add_argument("out")
p.add_argument("--hidden", type=int, default=512)
p.add_argument("--layers", type=int, default=8)
p.add_argument("--heads", type=int, default=8)
p.add_argument("--inner", type=int, default=1376)
p.add_argument("--vocab", type=int, default=4096)
a = p.parse_args()
rng = np.random.default_rng(0)
h, f = a.hidden, a.inner
w = lambda *shape: (rng.standard_normal(shape) * 0.02).astype(np.float32)
t = {"model.embed_tokens.weight": w(a.vocab, h), "model.norm.weight": np.ones(h, np.float32), "lm_head.weight": w(a.vocab, h)}
for l in range(a.layers):
    p_ = f"model.layers.{l}."
    t |= {p_ + "input_layernorm.weight": np.ones(h, np.float32), p_ + "post_attention_layernorm.weight": np.ones(h, np.float32)}
    for n in "qkvo":
        t[p_ + f"self_attn.{n}_proj.weight"] = w(h, h)
    t |= {p_ + "mlp.gate_proj.weight": w(f, h), p_ + "mlp.up_proj.weight": w(f, h), p_ + "mlp.down_proj.weight": w(h, f)}
os.makedirs(a.out, exist_ok=True)
save_file(t, os.path.join(a.out, "model.safetensors"))
cfg = {"model_type": "llama", "architectures": ["LlamaForCausalLM"], "vocab_size": a.vocab, "hidden_size": h,
       "intermediate_size": f, "num_hidden_layers": a.layers, "num_attention_heads": a.heads, "num_key_value_heads": a.heads,
       "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "max_position_embeddings": 2048, "tie_word_embeddings": False,
       "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu"}
json.dump(cfg, open(os.path.join(a.out, "config.json"), "w"), indent=1)
world = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fixtures", "world", "model")
for name in ("tokenizer.json", "tokenizer_config.json"):
    shutil.copy(os.path.join(world, name), os.path.join(a.out, name))
print(sum(v.size for v in t.values()), "parameters")
