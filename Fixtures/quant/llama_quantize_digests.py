"""Digests of llama-quantize's outputs, for Temper's byte-for-byte test.

    python llama_quantize_digests.py OUT.json FTYPE=FILE.gguf ...

For each file: FNV-1a 64 of the whole file, and each tensor's name, ggml type and FNV-1a 64
of its data (read with gguf-py), in file order."""
import json
import sys

import numpy as np
import gguf


def fnv1a64(data: bytes) -> str:
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


out = {}
for arg in sys.argv[2:]:
    ftype, path = arg.split("=", 1)
    raw = open(path, "rb").read()
    reader = gguf.GGUFReader(path)
    tensors = []
    for t in reader.tensors:
        start = int(t.data_offset)
        tensors.append([t.name, t.tensor_type.name, fnv1a64(raw[start:start + int(t.n_bytes)])])
    out[ftype] = {"file_bytes": len(raw), "file_fnv1a64": fnv1a64(raw), "tensors": tensors}
json.dump(out, open(sys.argv[1], "w"), indent=1)
print(f"wrote {sys.argv[1]}: {len(out)} files")
