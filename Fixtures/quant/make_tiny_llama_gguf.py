"""Writes the f32 GGUF that tiny-llama-spec.json describes, with gguf-py (the llama.cpp tree's).

    python make_tiny_llama_gguf.py SPEC.json OUT.gguf

Values: one SplitMix64 stream seeded with spec["seed"], continued over the tensors in spec
order; each value is (int(z >> 40) - 2**23) * 2**-27, exact in f32, so Temper's test
regenerates the same file content without Python."""
import json
import sys

import numpy as np
import gguf

GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def splitmix(seed, start, n):
    i = np.arange(start + 1, start + n + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = np.uint64(seed) + i * GOLDEN
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def main(spec_path, out_path):
    spec = json.load(open(spec_path))
    kv = spec["kv"]
    assert kv[0][0] == "general.architecture"
    w = gguf.GGUFWriter(out_path, kv[0][2])   # writes general.architecture first
    adders = {"string": w.add_string, "uint32": w.add_uint32, "float32": w.add_float32}
    for key, typ, value in kv[1:]:
        adders[typ](key, value)
    done = 0
    for name, dims in spec["tensors"]:
        n = int(np.prod(dims))
        k = (splitmix(spec["seed"], done, n) >> np.uint64(40)).astype(np.int64) - 2**23
        done += n
        values = (k.astype(np.float64) * 2.0**-27).astype(np.float32).reshape(list(reversed(dims)))
        w.add_tensor(name, values)
    w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
