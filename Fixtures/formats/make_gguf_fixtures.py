#!/usr/bin/env python3
"""Writes the GGUF reference fixtures under Fixtures/formats/gguf/ with gguf-py.

Run: ~/.venvs/temper-fixtures/bin/python Fixtures/formats/make_gguf_fixtures.py
Deterministic: a fixed seed and fixed formulas; rerunning rewrites identical bytes.
The Swift tests rebuild the same files from the same inputs and compare bytes.
"""
import json
import struct
from pathlib import Path

import numpy as np
import gguf
from gguf import GGMLQuantizationType as Q, GGUFValueType as V

OUT = Path(__file__).resolve().parent / "gguf"


def quant_input() -> np.ndarray:
    """8 rows x 128 f32: random rows plus blocks that probe the edge cases."""
    rng = np.random.default_rng(20240611)
    x = (rng.standard_normal((8, 128)) * rng.uniform(0.01, 3.0, size=(8, 1))).astype(np.float32)
    flat = x.reshape(-1, 32)                      # 32 blocks of 32
    flat[1] = 0.0                                  # all zeros: d = 0, id = 0
    flat[2] = -0.0
    # Q8_0 ties: max 127 gives d = 1, so x*id hits .5 exactly.
    flat[3] = np.array([127, -126.5, 2.5, -2.5, 0.5, -0.5, 1.5, -1.5] * 4, dtype=np.float32)
    # Q4_0: largest magnitude -8 gives d = 1; x + 8.5 lands on integers.
    flat[4] = np.array([-8, 7.5, 7.0, 6.5, -7.5, 0.5, -0.5, 0.0] * 4, dtype=np.float32)
    # Equal magnitudes with opposite signs: argmax keeps the first (+8 here).
    flat[5] = np.array([8, -8] * 16, dtype=np.float32)
    flat[6] = np.array([-8, 8] * 16, dtype=np.float32)
    flat[7] = np.float32(1e-40) * np.arange(1, 33, dtype=np.float32)   # subnormal: 1/d overflows
    flat[8] = np.float32(1e8) * np.linspace(-1, 1, 32, dtype=np.float32)  # d overflows f16
    flat[9] = np.float32(65504.0 * 127) * np.linspace(-1, 1, 32, dtype=np.float32)
    return x


def float_input() -> np.ndarray:
    """64 f32 values for F16/BF16: ties, subnormals, overflow, infinities, NaN."""
    bits = [0x3F808000, 0x3F818000, 0x3F80C000, 0x3F807FFF,   # bf16 ties and near-ties
            0x7F7FFFFF, 0xFF7FFFFF, 0x00000001, 0x80000001,   # max finite, smallest subnormal
            0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00000,   # inf, -inf, quiet NaNs
            0x33800000, 0x33000000, 0x33000001, 0x387FC000,   # f16 subnormal boundaries
            0x477FF000, 0x477FF001, 0x477FEFFF, 0x80000000]   # f16 overflow ties, -0
    rng = np.random.default_rng(7)
    rest = (rng.standard_normal(64 - len(bits)) * 100).astype(np.float32)
    return np.concatenate([np.array(bits, dtype=np.uint32).view(np.float32), rest])


def formula_tensors() -> dict[str, np.ndarray]:
    """Tensors the Swift tests recompute from the same formulas."""
    i = np.arange(32, dtype=np.float32)
    return {
        "f32.matrix": (np.arange(4 * 8, dtype=np.float32) * np.float32(0.5) - np.float32(7)).reshape(4, 8),
        "f16.vector": (np.arange(24, dtype=np.float32) * np.float32(0.125)).astype(np.float16),
        "f32.cube": (np.arange(2 * 3 * 32) % 17 - 8).astype(np.float32).reshape(2, 3, 32),
        "i32.ids": (np.arange(5, dtype=np.int32) * 3 - 10),
        "f32.odd": (i[:15] * np.float32(-0.25)).reshape(3, 5),
    }


def encode_value(v, t, sub=None):
    """Typed JSON for one KV value: ints as decimal strings, floats as hex bit patterns."""
    if t == V.ARRAY:
        return {"type": "array", "element_type": sub[0].name.lower(),
                "items": [encode_value(item, sub[0], sub[1:]) for item in v]}
    name = t.name.lower()
    if t == V.STRING:
        return {"type": name, "value": v}
    if t == V.BOOL:
        return {"type": name, "value": bool(v)}
    if t == V.FLOAT32:
        return {"type": name, "bits": "%08x" % struct.unpack("<I", struct.pack("<f", v))[0]}
    if t == V.FLOAT64:
        return {"type": name, "bits": "%016x" % struct.unpack("<Q", struct.pack("<d", v))[0]}
    return {"type": name, "value": str(int(v))}


def write_file(path: Path, kvs, tensors, alignment=None):
    w = gguf.GGUFWriter(path, arch="temper-test")
    expected_kv = [{"key": "general.architecture", **encode_value("temper-test", V.STRING)}]
    if alignment is not None:
        w.add_custom_alignment(alignment)
        expected_kv.append({"key": "general.alignment", **encode_value(alignment, V.UINT32)})
    for key, value, vtype, sub in kvs:
        w.add_key_value(key, value, vtype, sub_type=sub[0] if sub else None)
        expected_kv.append({"key": key, **encode_value(value, vtype, sub)})
    for name, data, raw in tensors:
        w.add_tensor(name, data, raw_dtype=raw)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()

    r = gguf.GGUFReader(path)
    infos = [{"name": t.name, "type": t.tensor_type.name, "type_id": int(t.tensor_type),
              "dims": [int(d) for d in t.shape], "shape": [int(d) for d in reversed(t.shape.tolist())],
              "offset": int(t.data_offset - r.data_offset), "n_bytes": int(t.n_bytes),
              "data_offset": int(t.data_offset)} for t in r.tensors]
    assert [f for f in r.fields if not f.startswith("GGUF.")] == [kv["key"] for kv in expected_kv]
    return {"file": path.name, "version": 3, "alignment": int(r.alignment), "data_start": int(r.data_offset),
            "file_size": path.stat().st_size, "kv": expected_kv, "tensors": infos}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    qin, fin = quant_input(), float_input()
    qin.tofile(OUT / "quant_input.f32.bin")
    fin.tofile(OUT / "float_input.f32.bin")
    q8 = gguf.quants.quantize(qin, Q.Q8_0)
    q4 = gguf.quants.quantize(qin, Q.Q4_0)
    q8.tofile(OUT / "quant_input.q8_0.bin")
    q4.tofile(OUT / "quant_input.q4_0.bin")
    gguf.quants.dequantize(q8, Q.Q8_0).astype(np.float32).tofile(OUT / "quant_input.q8_0.dequant.f32.bin")
    gguf.quants.dequantize(q4, Q.Q4_0).astype(np.float32).tofile(OUT / "quant_input.q4_0.dequant.f32.bin")
    gguf.quants.quantize(fin, Q.BF16).tofile(OUT / "float_input.bf16.bin")
    gguf.quants.quantize(fin, Q.F16).tofile(OUT / "float_input.f16.bin")
    gguf.quants.quantize(qin, Q.BF16).tofile(OUT / "quant_input.bf16.bin")

    kvs = [
        ("test.u8", 200, V.UINT8, None), ("test.i8", -100, V.INT8, None),
        ("test.u16", 65000, V.UINT16, None), ("test.i16", -32000, V.INT16, None),
        ("test.u32", 4000000000, V.UINT32, None), ("test.i32", -2000000000, V.INT32, None),
        ("test.f32", 0.15625, V.FLOAT32, None), ("test.bool.true", True, V.BOOL, None),
        ("test.bool.false", False, V.BOOL, None), ("test.string", "héllo, GGUF ✓", V.STRING, None),
        ("test.string.empty", "", V.STRING, None),
        ("test.u64", 2**63 + 5, V.UINT64, None), ("test.i64", -(2**62) - 3, V.INT64, None),
        ("test.f64", 0.1, V.FLOAT64, None),
        ("test.array.u8", [1, 2, 255], V.ARRAY, [V.UINT8]),
        ("test.array.i32", [-1, 0, 7], V.ARRAY, [V.INT32]),
        ("test.array.f32", [0.5, -2.25], V.ARRAY, [V.FLOAT32]),
        ("test.array.string", ["a", "", "ünï"], V.ARRAY, [V.STRING]),
        ("test.array.bool", [True, False, True], V.ARRAY, [V.BOOL]),
        ("test.array.u64", [0, 2**64 - 1], V.ARRAY, [V.UINT64]),
        ("test.array.nested", [[1, 2], [3]], V.ARRAY, [V.ARRAY, V.INT32]),
        ("test.array.nested.string", [["x"], ["y", "z"]], V.ARRAY, [V.ARRAY, V.STRING]),
    ]
    ft = formula_tensors()
    tensors = [
        ("f32.matrix", ft["f32.matrix"], None),
        ("f16.vector", ft["f16.vector"], None),
        ("q8_0.weight", q8, Q.Q8_0),
        ("q4_0.weight", q4, Q.Q4_0),
        ("bf16.weight", gguf.quants.quantize(qin[:2], Q.BF16), Q.BF16),
        ("f32.cube", ft["f32.cube"], None),
        ("i32.ids", ft["i32.ids"], None),
    ]
    expected = [write_file(OUT / "kv_types.gguf", kvs, tensors, alignment=64)]
    small_kvs = [("test.note", "default alignment", V.STRING, None), ("test.count", 3, V.UINT32, None)]
    small_tensors = [("f32.odd", ft["f32.odd"], None), ("f16.vector", ft["f16.vector"], None),
                     ("q8_0.row", q8[:1], Q.Q8_0)]
    expected.append(write_file(OUT / "default_alignment.gguf", small_kvs, small_tensors))
    (OUT / "expected.json").write_text(json.dumps(expected, indent=1, ensure_ascii=False) + "\n")

    # LlamaModel.permute from convert_hf_to_gguf, on arange data (numpy reshape == torch reshape).
    def permute(w, n_head, n_head_kv):
        if n_head_kv is not None and n_head != n_head_kv:
            n_head = n_head_kv
        return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)
    q = np.arange(32 * 6, dtype=np.float32).reshape(32, 6)
    k = np.arange(16 * 6, dtype=np.float32).reshape(16, 6)
    b = np.arange(32, dtype=np.float32)
    perm = {"n_head": 4, "n_head_kv": 2, "head_dim": 8, "hidden": 6,
            "q_shape": [32, 6], "q": permute(q, 4, 4).reshape(-1).astype(int).tolist(),
            "k_shape": [16, 6], "k": permute(k, 4, 2).reshape(-1).astype(int).tolist(),
            "q_bias": permute(b, 4, 4).astype(int).tolist()}
    (OUT / "permute_expected.json").write_text(json.dumps(perm) + "\n")

    # gguf-py's type table: name, id, block size, type size.
    table = [{"name": t.name, "id": int(t), "block_size": gguf.GGML_QUANT_SIZES[t][0],
              "type_size": gguf.GGML_QUANT_SIZES[t][1]} for t in Q]
    (OUT / "ggml_types.json").write_text(json.dumps(table, indent=0) + "\n")


if __name__ == "__main__":
    main()
