"""Writes a spec (the format of Fixtures/quant/tiny-llama-spec.json) for a larger f32 Llama
GGUF, for the llama-quantize benchmark: make_tiny_llama_gguf.py turns it into the file.

    python llama_quant_spec.py OUT.json --hidden 1024 --layers 8 --ffn 2816 --vocab 8192
"""
import argparse
import json

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("--hidden", type=int, default=1024)
ap.add_argument("--layers", type=int, default=8)
ap.add_argument("--ffn", type=int, default=2816)
ap.add_argument("--vocab", type=int, default=8192)
ap.add_argument("--heads", type=int, default=16)
ap.add_argument("--kv-heads", type=int, default=4)
a = ap.parse_args()
H, F, V, hd = a.hidden, a.ffn, a.vocab, a.hidden // a.heads
kv = [["general.architecture", "string", "llama"], ["general.name", "string", "bench-llama"],
      ["llama.context_length", "uint32", 2048], ["llama.embedding_length", "uint32", H], ["llama.block_count", "uint32", a.layers],
      ["llama.feed_forward_length", "uint32", F], ["llama.rope.dimension_count", "uint32", hd],
      ["llama.attention.head_count", "uint32", a.heads], ["llama.attention.head_count_kv", "uint32", a.kv_heads],
      ["llama.attention.layer_norm_rms_epsilon", "float32", 1e-5], ["llama.rope.freq_base", "float32", 10000.0],
      ["llama.vocab_size", "uint32", V], ["general.file_type", "uint32", 0]]
t = [["token_embd.weight", [H, V]], ["output_norm.weight", [H]], ["output.weight", [H, V]]]
for i in range(a.layers):
    p = f"blk.{i}."
    t += [[p + "attn_norm.weight", [H]], [p + "attn_q.weight", [H, H]], [p + "attn_k.weight", [H, hd * a.kv_heads]],
          [p + "attn_v.weight", [H, hd * a.kv_heads]], [p + "attn_output.weight", [H, H]], [p + "ffn_norm.weight", [H]],
          [p + "ffn_gate.weight", [H, F]], [p + "ffn_up.weight", [H, F]], [p + "ffn_down.weight", [F, H]]]
json.dump({"seed": 5, "kv": kv, "tensors": t}, open(a.out, "w"))
