#!/usr/bin/env python3
"""A tiny llama.cpp-style Llama GGUF and what its Hugging Face folder must contain.

Run with the newest gguf-py and numpy:  python Fixtures/formats/make_gguf_hf_fixtures.py

Writes Fixtures/formats/gguf/hf/
- tiny-llama-q.gguf: llama architecture, 2 blocks, hidden 32, 4 heads / 2 KV heads,
  feed-forward 256, tied embeddings; tensors in Q8_0, Q4_1, Q5_0, Q4_K (random valid raw
  blocks), F16 and F32 as llama.cpp writes them (Q/K rows permuted by convert_hf_to_gguf's
  `LlamaModel.permute`); a byte-level BPE vocabulary of 256 byte tokens, 40 merges and 3
  control tokens, `tokenizer.ggml.pre = smollm`, a chat template.
- expected.json: for each Hugging Face tensor name, the GGUF tensor it comes from, its shape
  and the 64-bit FNV-1a of its f32 bytes = gguf-py `quants.dequantize`, then the inverse Q/K
  permutation exactly as transformers' GGUF loader (`reverse_permute_weights`) applies it;
  plus the config values transformers reads from this GGUF.
- tiny-qwen2-q.gguf, expected-qwen2.json: the same for the qwen2 architecture (q/k/v
  biases, no Q/K permutation).
When transformers is installed the script also loads both files with transformers'
`from_pretrained(gguf_file=…)`, asserts the same digests and writes logits.json: its logits
for LOGIT_IDS from both files (done with transformers 5.24, torch 2.15, f32).
"""
import json
from pathlib import Path

import numpy as np
import gguf
from gguf import GGMLQuantizationType as Q
from gguf import quants

OUT = Path(__file__).resolve().parent / "gguf/hf"
HIDDEN, FF, LAYERS, HEADS, KV, HEAD_DIM, CTX = 32, 256, 2, 4, 2, 8, 128
LOGIT_IDS = [1, 40, 41, 7, 298]


def byte_tokens():
    """GPT-2's bytes_to_unicode order: printable bytes map to themselves, the rest to U+0100…"""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b); cs.append(256 + n); n += 1
    return [chr(c) for _, c in sorted(zip(bs, cs))]


def vocab():
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    tokens = specials + byte_tokens()
    merges = []
    for a, b in [("Ġ", "t"), ("h", "e"), ("Ġt", "he"), ("i", "n"), ("Ġ", "a"), ("e", "r"), ("o", "n"), ("Ġ", "s"),
                 ("r", "e"), ("a", "t"), ("Ġ", "w"), ("o", "r"), ("e", "n"), ("Ġ", "c"), ("i", "s"), ("Ġ", "o"),
                 ("i", "t"), ("e", "s"), ("a", "n"), ("Ġ", "b"), ("e", "d"), ("Ġ", "f"), ("in", "g"), ("Ġ", "p"),
                 ("o", "u"), ("Ġa", "n"), ("a", "r"), ("a", "l"), ("Ġ", "m"), ("Ġ", "d"), ("l", "l"), ("'", "s"),
                 ("Ġ", "h"), ("Ġo", "f"), ("Ġ", "i"), ("l", "e"), ("Ġt", "o"), ("i", "c"), ("Ġw", "or"), ("Ġ", "l")]:
        merges.append(f"{a} {b}")
        if a + b not in tokens:
            tokens.append(a + b)
    types = [3, 3, 3] + [1] * (len(tokens) - 3)
    return tokens, types, merges


def fnv1a64(data: bytes) -> str:
    """64-bit FNV-1a of the bytes, as 16 hex digits (a digest the Swift tests compute in a line)."""
    h = 0xCBF29CE484222325
    for byte in data:
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


def permute(w, n_head):
    """convert_hf_to_gguf LlamaModel.permute."""
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def reverse_permute(w, n_head):
    """transformers integrations/ggml `reverse_permute_weights` (num_kv_heads = n_head)."""
    dim = w.shape[0] // n_head // 2
    w = w.reshape(n_head, dim, 2, *w.shape[1:])
    return w.swapaxes(2, 1).reshape(w.shape[0] * w.shape[1] * w.shape[2], *w.shape[3:])


def random_blocks(rng, qtype, rows, cols):
    block, size = gguf.GGML_QUANT_SIZES[qtype]
    n = rows * cols // block
    b = rng.integers(0, 256, size=(n, size), dtype=np.uint16).astype(np.uint8)
    d = (rng.standard_normal((n, 2)) * 0.01).astype(np.float16)
    b[:, 0:4] = d.view(np.uint8).reshape(n, 4)          # Q4_K: d and dmin at bytes 0..3
    return b.reshape(rows, cols // block * size)


def build(arch, stem, seed, split):
    """Writes OUT/<stem>.gguf (and its 3-shard split when `split`), returns the expectation."""
    rng = np.random.default_rng(seed)
    qwen = arch == "qwen2"
    tokens, types, merges = vocab()
    tensors = []  # (GGUF name, array, raw ggml type or None)

    def write(path, split_max_tensors=0):
        w = gguf.GGUFWriter(str(path), arch, split_max_tensors=split_max_tensors)
        w.add_name(f"tiny {arch} q")
        w.add_block_count(LAYERS)
        w.add_context_length(CTX)
        w.add_embedding_length(HIDDEN)
        w.add_feed_forward_length(FF)
        w.add_head_count(HEADS)
        w.add_head_count_kv(KV)
        w.add_rope_freq_base(100000.0)
        w.add_layer_norm_rms_eps(1e-5)
        w.add_file_type(3)
        w.add_vocab_size(len(tokens))
        w.add_rope_dimension_count(HEAD_DIM)
        w.add_tokenizer_model("gpt2")
        w.add_tokenizer_pre("smollm")
        w.add_token_list(tokens)
        w.add_token_types(types)
        w.add_token_merges(merges)
        w.add_bos_token_id(1)
        w.add_eos_token_id(2)
        w.add_pad_token_id(0)
        w.add_add_bos_token(False)
        w.add_chat_template("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}")
        for name, data, raw in tensors:
            if raw is None:
                w.add_tensor(name, data)
            else:
                w.add_tensor(name, data, raw_shape=data.shape, raw_dtype=raw)
        w.write_header_to_file()
        w.write_kv_data_to_file()
        w.write_tensors_to_file()
        w.close()

    expected = []

    def add(gguf_name, hf_name, values, qtype, heads=None):
        stored = permute(values, heads) if heads else values
        if qtype == Q.Q4_K:
            raw = random_blocks(rng, qtype, *stored.shape)
            tensors.append((gguf_name, raw, qtype))
            stored_deq = quants.dequantize(raw, qtype)
        elif qtype in (Q.F32, Q.F16):
            data = stored.astype(np.float32 if qtype == Q.F32 else np.float16)
            tensors.append((gguf_name, data, None))
            stored_deq = data.astype(np.float32)
        else:
            raw = quants.quantize(stored, qtype)
            tensors.append((gguf_name, raw, qtype))
            stored_deq = quants.dequantize(raw, qtype)
        hf = reverse_permute(stored_deq, heads) if heads else stored_deq
        hf = np.ascontiguousarray(hf, dtype=np.float32)
        expected.append({"hf": hf_name, "gguf": gguf_name, "type": qtype.name, "shape": list(hf.shape),
                         "fnv1a64_f32": fnv1a64(hf.astype("<f4").tobytes())})

    def normal(*shape):
        return (rng.standard_normal(shape) * 0.05).astype(np.float32)

    add("token_embd.weight", "model.embed_tokens.weight", normal(len(tokens), HIDDEN), Q.Q8_0)
    for i in range(LAYERS):
        p, b = f"model.layers.{i}.", f"blk.{i}."
        add(b + "attn_norm.weight", p + "input_layernorm.weight", 1 + normal(HIDDEN), Q.F32)
        # convert_hf_to_gguf permutes Llama's Q/K rows only; Qwen2 has q/k/v biases instead.
        add(b + "attn_q.weight", p + "self_attn.q_proj.weight", normal(HEADS * HEAD_DIM, HIDDEN), Q.Q4_1, None if qwen else HEADS)
        add(b + "attn_k.weight", p + "self_attn.k_proj.weight", normal(KV * HEAD_DIM, HIDDEN), Q.Q5_0, None if qwen else KV)
        add(b + "attn_v.weight", p + "self_attn.v_proj.weight", normal(KV * HEAD_DIM, HIDDEN), Q.Q8_0)
        if qwen:
            for part, rows in (("q", HEADS * HEAD_DIM), ("k", KV * HEAD_DIM), ("v", KV * HEAD_DIM)):
                add(b + f"attn_{part}.bias", p + f"self_attn.{part}_proj.bias", normal(rows), Q.F32)
        add(b + "attn_output.weight", p + "self_attn.o_proj.weight", normal(HIDDEN, HEADS * HEAD_DIM), Q.F16)
        add(b + "ffn_norm.weight", p + "post_attention_layernorm.weight", 1 + normal(HIDDEN), Q.F32)
        add(b + "ffn_gate.weight", p + "mlp.gate_proj.weight", normal(FF, HIDDEN), Q.Q4_1)
        add(b + "ffn_up.weight", p + "mlp.up_proj.weight", normal(FF, HIDDEN), Q.Q8_0)
        add(b + "ffn_down.weight", p + "mlp.down_proj.weight", normal(HIDDEN, FF), Q.Q4_K)
    add("output_norm.weight", "model.norm.weight", 1 + normal(HIDDEN), Q.F32)

    write(OUT / f"{stem}.gguf")
    if split:
        # gguf-split layout (gguf-py's writer makes the same shards): all metadata in the first.
        write(OUT / f"{stem}-split.gguf", split_max_tensors=8)
    config = {"model_type": arch, "hidden_size": HIDDEN, "intermediate_size": FF, "num_hidden_layers": LAYERS,
              "num_attention_heads": HEADS, "num_key_value_heads": KV, "head_dim": HEAD_DIM,
              "max_position_embeddings": CTX, "vocab_size": len(tokens), "rms_norm_eps": float(np.float32(1e-5)),
              "rope_theta": 100000.0, "tie_word_embeddings": True, "bos_token_id": 1, "eos_token_id": 2, "pad_token_id": 0}
    return {"config": config, "tensors": expected}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "expected.json").write_text(json.dumps(build("llama", "tiny-llama-q", 170, True), indent=1) + "\n")
    (OUT / "expected-qwen2.json").write_text(json.dumps(build("qwen2", "tiny-qwen2-q", 171, False), indent=1) + "\n")
    check_with_transformers()


def check_with_transformers():
    """When transformers (5.x, with torch and accelerate) is installed, its own
    `from_pretrained(gguf_file=…)` must produce exactly the expected tensors."""
    try:
        import torch
        from transformers import AutoModelForCausalLM
    except ImportError:
        print("transformers not installed: expectations not cross-checked")
        return
    logits = {"ids": LOGIT_IDS}
    for stem, name in (("tiny-llama-q", "expected.json"), ("tiny-qwen2-q", "expected-qwen2.json")):
        model = AutoModelForCausalLM.from_pretrained(OUT, gguf_file=f"{stem}.gguf", dtype=torch.float32).eval()
        state = model.state_dict()
        for t in json.loads((OUT / name).read_text())["tensors"]:
            got = fnv1a64(state[t["hf"]].numpy().astype("<f4").tobytes())
            assert got == t["fnv1a64_f32"], f"{stem}: transformers gives other values for {t['hf']}"
        with torch.no_grad():
            logits[stem] = model(torch.tensor([LOGIT_IDS])).logits[0].tolist()
    (OUT / "logits.json").write_text(json.dumps(logits) + "\n")
    print("transformers' GGUF loading agrees with the expectations; logits.json written")


if __name__ == "__main__":
    main()
