#!/usr/bin/env python3
"""Checks that gguf-py loads a Llama GGUF written by Temper (for `make interop`).

Usage: python check_gguf_with_gguf_py.py FILE.gguf [FILE.gguf ...]
For each file: GGUFReader parses it; general.architecture is "llama" with the llama.*
hyperparameters llama.cpp requires, typed as convert_hf_to_gguf writes them; every tensor
has a llama.cpp name, a type convert_hf_to_gguf would pick, the shape the hyperparameters
imply, and data that dequantizes to finite values; the tokenizer arrays have vocab_size
entries. Prints one line per file and exits 1 on the first failure.
"""
import re
import sys

import numpy as np
import gguf
from gguf import GGMLQuantizationType as Q, GGUFValueType as V

REQUIRED = {
    "llama.block_count": V.UINT32, "llama.context_length": V.UINT32, "llama.embedding_length": V.UINT32,
    "llama.feed_forward_length": V.UINT32, "llama.attention.head_count": V.UINT32,
    "llama.attention.head_count_kv": V.UINT32, "llama.attention.layer_norm_rms_epsilon": V.FLOAT32,
    "llama.rope.dimension_count": V.UINT32, "llama.rope.freq_base": V.FLOAT32, "llama.vocab_size": V.UINT32,
    "general.file_type": V.UINT32, "tokenizer.ggml.model": V.STRING, "tokenizer.ggml.tokens": V.ARRAY,
    "tokenizer.ggml.token_type": V.ARRAY,
}
FILE_TYPES = {0: Q.F32, 1: Q.F16, 2: Q.Q4_0, 7: Q.Q8_0, 32: Q.BF16}
LAYER = re.compile(r"^blk\.(\d+)\.(attn_q|attn_k|attn_v|attn_output|ffn_gate|ffn_up|ffn_down|attn_norm|ffn_norm)\.(weight|bias)$")


def fail(path, msg):
    print(f"FAIL {path}: {msg}")
    sys.exit(1)


def check(path):
    r = gguf.GGUFReader(path)
    get = lambda k: r.fields[k].contents() if k in r.fields else None
    if get("general.architecture") != "llama":
        fail(path, f"general.architecture is {get('general.architecture')!r}")
    for key, vtype in REQUIRED.items():
        if key not in r.fields or r.fields[key].types[0] != vtype:
            fail(path, f"{key} missing or not {vtype.name}")
    n_vocab, n_embd, n_ff = get("llama.vocab_size"), get("llama.embedding_length"), get("llama.feed_forward_length")
    n_layer, n_head, n_head_kv = get("llama.block_count"), get("llama.attention.head_count"), get("llama.attention.head_count_kv")
    head_dim = n_embd // n_head
    for key in ("tokenizer.ggml.tokens", "tokenizer.ggml.token_type", "tokenizer.ggml.scores"):
        if key in r.fields and len(r.fields[key].data) != n_vocab:
            fail(path, f"{key} has {len(r.fields[key].data)} entries, vocab_size is {n_vocab}")
    main_type = FILE_TYPES.get(get("general.file_type"))
    if main_type is None:
        fail(path, f"unexpected general.file_type {get('general.file_type')}")
    shapes = {"token_embd": (n_vocab, n_embd), "output": (n_vocab, n_embd), "output_norm": (n_embd,),
              "attn_norm": (n_embd,), "ffn_norm": (n_embd,), "attn_q": (n_head * head_dim, n_embd),
              "attn_k": (n_head_kv * head_dim, n_embd), "attn_v": (n_head_kv * head_dim, n_embd),
              "attn_output": (n_embd, n_head * head_dim), "ffn_gate": (n_ff, n_embd), "ffn_up": (n_ff, n_embd),
              "ffn_down": (n_embd, n_ff)}
    names = set()
    for t in r.tensors:
        m = LAYER.match(t.name)
        if m:
            base, layer = m.group(2), int(m.group(1))
            if layer >= n_layer:
                fail(path, f"{t.name}: layer {layer} >= block_count {n_layer}")
        elif t.name in ("token_embd.weight", "output.weight", "output_norm.weight"):
            base = t.name.split(".")[0]
        else:
            fail(path, f"tensor {t.name!r} has no llama.cpp name")
        shape = tuple(int(d) for d in reversed(t.shape.tolist()))
        want = shapes[base] if t.name.endswith(".weight") else shapes[base][:1]
        if shape != want:
            fail(path, f"{t.name}: shape {shape}, hyperparameters imply {want}")
        if len(shape) <= 1 or t.name.endswith("_norm.weight"):
            allowed = {Q.F32}
        else:
            allowed = {main_type, Q.F16} if main_type in (Q.Q8_0, Q.Q4_0) else {main_type}
        if t.tensor_type not in allowed:
            fail(path, f"{t.name}: type {t.tensor_type.name}, expected one of {[a.name for a in allowed]}")
        values = gguf.quants.dequantize(t.data, t.tensor_type)
        if values.size != np.prod(shape) or not np.all(np.isfinite(values)):
            fail(path, f"{t.name}: data does not dequantize to {np.prod(shape)} finite values")
        names.add(t.name)
    needed = {"token_embd.weight", "output_norm.weight"} | {
        f"blk.{i}.{b}.weight" for i in range(n_layer) for b in ("attn_q", "attn_k", "attn_v", "attn_output",
                                                                  "ffn_gate", "ffn_up", "ffn_down", "attn_norm", "ffn_norm")}
    if not needed <= names:
        fail(path, f"missing tensors: {sorted(needed - names)}")
    print(f"ok {path}: {len(r.tensors)} tensors, {main_type.name}, vocab {n_vocab}, tokenizer {get('tokenizer.ggml.model')}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    for p in sys.argv[1:]:
        try:
            check(p)
        except SystemExit:
            raise
        except Exception as e:  # a file gguf-py cannot parse
            fail(p, f"{type(e).__name__}: {e}")
