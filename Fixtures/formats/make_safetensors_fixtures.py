#!/usr/bin/env python3
"""Writes the safetensors reference fixtures under Fixtures/formats/safetensors/.

Run from anywhere:  ~/.venvs/temper-fixtures/bin/python Fixtures/formats/make_safetensors_fixtures.py

Everything here is written by the reference implementation (python `safetensors`, torch,
huggingface_hub), so Temper's reader and writer are checked against the real thing:
  - *.safetensors files covering every dtype, zero-size and scalar shapes, metadata, escapes;
  - sharded_transformers/: shards + index exactly as transformers' save_pretrained writes them;
  - sharded_hfhub/: shards + index as huggingface_hub.save_torch_state_dict writes them;
  - hf_single/: model.safetensors + config.json;
  - expected.json: for every file its size, sha256, header length, metadata (header order)
    and each tensor's name, dtype, shape, data_offsets and sha256 of its bytes;
  - casts.json: torch's own f32→f16/bf16, f16/bf16/f64/f8→f32 results (raw bits).
Deterministic, except the order of `__metadata__` keys in escapes.safetensors: the reference
writes metadata in Rust hash-map order, which changes from run to run (expected.json is
recomputed from the bytes, so it always agrees with the committed file).
"""
import os

# torch's AVX2/AVX-512 f32→bf16 kernels write NaN as 0xFFFF while its scalar rule (c10
# round_to_nearest_even) writes 0x7FC0; pin the scalar kernels so results do not depend on the CPU.
os.environ["ATEN_CPU_CAPABILITY"] = "default"

import hashlib
import json
import pathlib
import shutil
import struct

import numpy as np
import torch
from huggingface_hub import save_torch_state_dict, split_torch_state_dict_into_shards
from safetensors import serialize_file
from safetensors.numpy import save_file as np_save_file
from safetensors.torch import save_file as torch_save_file

HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE / "safetensors"
RNG = np.random.default_rng(20240601)


def sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def describe(path: pathlib.Path) -> dict:
    """What a reader must find in `path`, computed from the raw bytes."""
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n].decode("utf-8"), object_pairs_hook=list)
    start = 8 + n
    metadata, tensors = None, []
    for key, value in header:
        if key == "__metadata__":
            metadata = [[k, v] for k, v in value]
            continue
        info = dict(value)
        b, e = info["data_offsets"]
        tensors.append({"name": key, "dtype": info["dtype"], "shape": info["shape"],
                        "data_offsets": [b, e], "sha256": sha(raw[start + b : start + e])})
    return {"size": len(raw), "sha256": sha(raw), "header_length": n, "metadata": metadata, "tensors": tensors}


def f32(values) -> torch.Tensor:
    return torch.tensor(np.asarray(values, dtype=np.float32))


def all_dtypes():
    base = RNG.standard_normal(64).astype(np.float32) * 3
    t = {
        "f64": torch.tensor(RNG.standard_normal((2, 3))),
        "f32": f32(base[:12]).reshape(3, 4),
        "f16": f32(base[:5]).to(torch.float16),
        "bf16": f32(base[:8]).reshape(2, 2, 2).to(torch.bfloat16),
        "i64": torch.tensor([-(2**62), 0, 2**62 + 5], dtype=torch.int64),
        "i32": torch.tensor([[-7, 8], [2**31 - 1, -(2**31)]], dtype=torch.int32),
        "i16": torch.tensor([-32768, -1, 0, 32767], dtype=torch.int16),
        "i8": torch.tensor([-128, -1, 0, 1, 2, 127], dtype=torch.int8),
        "u64": torch.tensor([0, 2**63 + 1], dtype=torch.uint64),
        "u32": torch.tensor([0, 1, 2**32 - 1], dtype=torch.uint32),
        "u16": torch.tensor([0, 1, 65535], dtype=torch.uint16),
        "u8": torch.tensor([0, 1, 2, 3, 250, 254, 255], dtype=torch.uint8),
        "bool": torch.tensor([True, False, True, True, False]),
        "f8_e4m3": f32([0.5, -448.0, 1.0e-3, 3.3]).to(torch.float8_e4m3fn),
        "f8_e5m2": f32([0.5, -57344.0, 1.0e-5, 3.3]).to(torch.float8_e5m2),
        "c64": torch.tensor([1 + 2j, -3.5 - 0.25j], dtype=torch.complex64),
        # F8_E8M0 (scale bytes, 2^(e-127)); 255 is NaN.
        "f8_e8m0": torch.tensor([0, 1, 126, 127, 128, 254, 255], dtype=torch.uint8).view(torch.float8_e8m0fnu),
    }
    torch_save_file(t, OUT / "all_dtypes.safetensors", metadata={"format": "pt"})


def numpy_shapes():
    t = {
        "empty_1d": np.zeros((0,), np.float32),
        "empty_3d": np.zeros((3, 0, 2), np.int64),
        "scalar": np.array(2.5, np.float64),
        "one": np.array([7], np.uint8),
        "matrix": RNG.standard_normal((16, 16)).astype(np.float32),
        "flags": np.array([[True, False], [False, True]]),
        "halves": RNG.standard_normal(6).astype(np.float16),
    }
    np_save_file(t, str(OUT / "numpy_shapes.safetensors"))  # no __metadata__


def small_cases():
    np_save_file({}, str(OUT / "empty.safetensors"))
    serialize_file({}, str(OUT / "metadata_only.safetensors"), metadata={"only": "metadata"})
    # An empty tensor dict with an empty (not absent) metadata dict: the reference writes
    # `{},"__metadata__":{}}` (serde_json's length-0 map quirk), which is not valid JSON.
    # Temper rejects it; the malformed corpus keeps a copy (see make_malformed_safetensors.py).
    names = ['quote"name', "back\\slash", "tab\tname", "ctrl\x01\x1f", "del\x7f", "unicode_é_名", "emoji_😀",
             "slash/name", "Zupper", "alower"]
    t = {name: np.full((2,), i, np.float32) for i, name in enumerate(names)}
    t["int_after"] = np.arange(3, dtype=np.int32)
    np_save_file(t, str(OUT / "escapes.safetensors"),
                 metadata={"k": "line1\nline2", "esc": "\"\\/\x7f\x1f\b\f\r\t", "uni": "é😀名"})


def state_dict():
    """A tiny llama-like state dict, in module order, mixed F32/BF16, one oversized tensor."""
    sd = {}
    sd["model.embed_tokens.weight"] = torch.tensor(RNG.standard_normal((32, 8)), dtype=torch.float32)
    for layer in range(2):
        p = f"model.layers.{layer}."
        sd[p + "input_layernorm.weight"] = torch.ones(8, dtype=torch.float32)
        sd[p + "self_attn.q_proj.weight"] = torch.tensor(RNG.standard_normal((8, 8)), dtype=torch.bfloat16)
        sd[p + "self_attn.k_proj.weight"] = torch.tensor(RNG.standard_normal((4, 8)), dtype=torch.bfloat16)
        sd[p + "mlp.down_proj.weight"] = torch.tensor(RNG.standard_normal((8, 12)), dtype=torch.float32)
    sd["model.norm.weight"] = torch.ones(8, dtype=torch.float32)
    sd["lm_head.weight"] = torch.tensor(RNG.standard_normal((32, 8)), dtype=torch.bfloat16)
    return sd


MAX_SHARD = 1000  # bytes; embed_tokens (1024 bytes) exceeds it and gets a shard of its own


def sharded():
    sd = state_dict()
    folder = OUT / "sharded_transformers"
    folder.mkdir()
    # What transformers' save_pretrained does: hf split, save_file per shard with
    # metadata {"format": "pt"}, index = json.dumps(indent=2, sort_keys=True) + "\n".
    split = split_torch_state_dict_into_shards(sd, max_shard_size=MAX_SHARD, filename_pattern="model{suffix}.safetensors")
    for filename, names in split.filename_to_tensors.items():
        torch_save_file({n: sd[n].contiguous() for n in names}, folder / filename, metadata={"format": "pt"})
    total_parameters = sum(t.numel() for t in sd.values())
    index = {"metadata": {"total_parameters": total_parameters, **split.metadata}, "weight_map": split.tensor_to_filename}
    (folder / "model.safetensors.index.json").write_text(json.dumps(index, indent=2, sort_keys=True) + "\n")
    config = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 8, "num_hidden_layers": 2,
              "rms_norm_eps": 1e-05, "tie_word_embeddings": False, "torch_dtype": "bfloat16",
              "rope_scaling": None, "vocab_size": 32}
    (folder / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    hub = OUT / "sharded_hfhub"
    hub.mkdir()
    save_torch_state_dict(sd, hub, max_shard_size=MAX_SHARD)
    single = OUT / "hf_single"
    single.mkdir()
    torch_save_file({k: v for k, v in list(sd.items())[:3]}, single / "model.safetensors", metadata={"format": "pt"})
    (single / "config.json").write_text(json.dumps({"model_type": "llama", "hidden_size": 8, "nested": {"a": 1}}, indent=2) + "\n")
    return {"max_shard_bytes": MAX_SHARD, "total_parameters": total_parameters,
            "input_order": [{"name": k, "dtype": {torch.float32: "F32", torch.bfloat16: "BF16"}[v.dtype], "shape": list(v.shape)}
                            for k, v in sd.items()]}


def hexbits(t: torch.Tensor) -> list:
    width = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}[t.element_size()]
    return [f"0x{int(x):0{2 * t.element_size()}x}" for x in t.contiguous().view({1: torch.uint8, 2: torch.int16, 4: torch.int32, 8: torch.int64}[t.element_size()]).numpy().view(width)]


def bits_to_f32(bits) -> torch.Tensor:
    return torch.from_numpy(np.asarray(bits, dtype=np.uint32).view(np.float32).copy())


TRICKY_F32 = [
    0x00000000, 0x80000000, 0x3F800000, 0xBF800000,               # ±0, ±1
    0x7F800000, 0xFF800000,                                       # ±inf
    0x7FC00000, 0xFFC00000, 0x7F800001, 0xFF800001, 0x7FFFFFFF,   # NaNs: quiet, signalling, payloads
    0x7FA00000, 0x7F802000, 0x7FBFFFFF,
    0x7F7FFFFF, 0xFF7FFFFF,                                       # ±FLT_MAX → ±inf in both
    0x477FE000, 0x477FEFFF, 0x477FF000, 0x477FF001, 0x47800000,   # f16 max 65504, just below/at/above 65520, 65536
    0x33800000, 0x33000000, 0x33000001, 0x33C00000, 0x33400000,   # f16 subnormal 2^-24, its half (tie → 0), ties
    0x38800000, 0x387FFFFF, 0x387FE000, 0x387FF000, 0x38000000,   # around f16 min normal 2^-14
    0x00000001, 0x007FFFFF, 0x80000001, 0x00800000, 0x00008000, 0x00018000,  # f32 subnormals, bf16 ties there
    0x3F801000, 0x3F803000, 0x3F801001, 0x3F800FFF,               # f16 halfway cases at 1.0
    0x3F808000, 0x3F818000, 0x3F808001, 0x3F807FFF,               # bf16 halfway cases at 1.0
    0x7F7F8000, 0x7F7F7FFF, 0x7F7EFFFF,                           # bf16 rounding to inf / to max
    0x3EAAAAAB, 0x40490FDB, 0x322BCC77, 0x80008000, 0xC7C35000,   # 1/3, pi, 1e-8, tiny negative, -100000
    0x3C000000, 0xC0490FDB, 0x4B800001,                           # 2^-7, -pi, 16777218
]

TRICKY_F64 = [
    0x0000000000000000, 0x8000000000000000, 0x3FF0000000000000, 0x7FF0000000000000, 0xFFF0000000000000,
    0x7FF8000000000000, 0xFFF8000000000000, 0x7FF0000000000001, 0x7FF8000020000000, 0x7FFFFFFFFFFFFFFF,
    0x47EFFFFFE0000000, 0x47EFFFFFF0000000, 0x47F0000000000000,   # FLT_MAX, tie to inf, 2^128
    0x3FF0000010000000, 0x3FF0000030000000, 0x3FF0000010000001,   # f32 halfway cases at 1.0
    0x36A0000000000000, 0x3690000000000000, 0x3698000000000000,   # 2^-149, its half, 1.5 × half
    0x0000000000000001, 0x3FD5555555555555, 0x400921FB54442D18,   # f64 subnormal, 1/3, pi
    0xC00921FB54442D18, 0x380FFFFFF0000000,                       # -pi, rounding into f32 subnormals
]


def casts():
    x = bits_to_f32(TRICKY_F32)
    out = {"capability": torch.backends.cpu.get_cpu_capability(), "torch": torch.__version__}
    out["f32_to_f16"] = [{"f32": f"0x{b:08x}", "f16": h} for b, h in zip(TRICKY_F32, hexbits(x.to(torch.float16)))]
    out["f32_to_bf16"] = [{"f32": f"0x{b:08x}", "bf16": h} for b, h in zip(TRICKY_F32, hexbits(x.to(torch.bfloat16)))]
    # A sweep too big to commit: commit its hashes. Bits = high half h (all 65536) × low halves.
    lows = [0x0000, 0x0FFF, 0x1000, 0x1001, 0x1FFF, 0x3000, 0x7FFF, 0x8000, 0x8001, 0xE000, 0xF000, 0xFFFF]
    sweep = (np.arange(65536, dtype=np.uint64)[:, None] << 16 | np.array(lows, dtype=np.uint64)[None, :]).astype(np.uint32).ravel()
    xs = torch.from_numpy(sweep.view(np.float32).copy())
    out["f32_sweep"] = {"lows": [f"0x{v:04x}" for v in lows], "count": int(sweep.size),
                        "order": "for high in 0..<65536 { for low in lows { (high << 16) | low } }",
                        "f16_sha256": sha(xs.to(torch.float16).view(torch.int16).numpy().tobytes()),
                        "bf16_sha256": sha(xs.to(torch.bfloat16).view(torch.int16).numpy().tobytes())}
    codes = torch.from_numpy(np.arange(65536, dtype=np.uint16).view(np.int16).copy())
    out["f16_to_f32_all_sha256"] = sha(codes.view(torch.float16).to(torch.float32).numpy().tobytes())
    out["bf16_to_f32_all_sha256"] = sha(codes.view(torch.bfloat16).to(torch.float32).numpy().tobytes())
    # torch widens f16 NaNs in vectorised chunks of 8 keeping the payload (sign | 0x7FC00000 |
    # mantissa << 13) but writes 0x7FFFFFFF in its scalar tail loop; Temper follows the
    # vectorised (IEEE) rule, so every list converted here has a length divisible by 8.
    half_codes = [0x0000, 0x8000, 0x0001, 0x8001, 0x03FF, 0x0400, 0x3C00, 0x7BFF,
                  0x7C00, 0xFC00, 0x7C01, 0x7E00, 0xFE00, 0x7FFF, 0xFC01, 0x7D55]
    widened = torch.tensor(np.array(half_codes, dtype=np.uint16).view(np.int16)).view(torch.float16).to(torch.float32)
    out["f16_to_f32"] = [{"f16": f"0x{c:04x}", "f32": f} for c, f in zip(half_codes, hexbits(widened))]
    assert len(TRICKY_F64) % 8 == 0 and len(TRICKY_F32) % 8 == 0
    d = torch.from_numpy(np.array(TRICKY_F64, dtype=np.uint64).view(np.float64).copy())
    out["f64_to_f32"] = [{"f64": f"0x{b:016x}", "f32": f} for b, f in zip(TRICKY_F64, hexbits(d.to(torch.float32)))]
    byte_codes = torch.arange(256, dtype=torch.int32).to(torch.uint8)
    out["f8_e4m3_to_f32"] = hexbits(byte_codes.view(torch.float8_e4m3fn).to(torch.float32))
    out["f8_e5m2_to_f32"] = hexbits(byte_codes.view(torch.float8_e5m2).to(torch.float32))
    if hasattr(torch, "float8_e8m0fnu"):
        out["f8_e8m0_to_f32"] = hexbits(byte_codes.view(torch.float8_e8m0fnu).to(torch.float32))
    (OUT / "casts.json").write_text(json.dumps(out, indent=1) + "\n")


def main():
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    all_dtypes()
    numpy_shapes()
    small_cases()
    shard_info = sharded()
    casts()
    files = {}
    for path in sorted(OUT.rglob("*.safetensors")):
        files[str(path.relative_to(OUT))] = describe(path)
    expected = {"files": files, "sharded_transformers": shard_info}
    (OUT / "expected.json").write_text(json.dumps(expected, indent=1, ensure_ascii=True) + "\n")
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"wrote {len(files)} safetensors files, {total} bytes in {OUT}")


if __name__ == "__main__":
    main()
