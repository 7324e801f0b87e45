"""Generates the benchmark inputs (random F32 tensors shaped like Llama weights); reuses files
that already exist with the same size, so repeated `make bench` runs skip this step.

    python gen_inputs.py DIR --load-mb 1024 --quant-mb 256 --sign-mb 1024 --sparse-gb 10

Writes DIR/load-<MB>MB.safetensors, DIR/quant-<MB>MB.safetensors, DIR/sign-<MB>MB/ (four
safetensors shards + config.json + tokenizer.json) and DIR/sparse-<GB>GB.safetensors (a valid
header followed by a sparse hole: it occupies no disk blocks).
"""
import argparse
import json
import os
import pathlib
import struct

import numpy as np
from safetensors.numpy import save_file

HIDDEN, INTERMEDIATE = 1024, 2816  # one layer ≈ 50 MB of F32


def layer_tensors(rng, index):
    shapes = {
        "self_attn.q_proj.weight": (HIDDEN, HIDDEN), "self_attn.k_proj.weight": (HIDDEN, HIDDEN),
        "self_attn.v_proj.weight": (HIDDEN, HIDDEN), "self_attn.o_proj.weight": (HIDDEN, HIDDEN),
        "mlp.gate_proj.weight": (INTERMEDIATE, HIDDEN), "mlp.up_proj.weight": (INTERMEDIATE, HIDDEN),
        "mlp.down_proj.weight": (HIDDEN, INTERMEDIATE),
    }
    tensors = {}
    for name, shape in shapes.items():
        tensors[f"model.layers.{index}.{name}"] = (rng.standard_normal(shape, dtype=np.float32) * 0.02)
    return tensors


LAYER_BYTES = 4 * (4 * HIDDEN * HIDDEN + 3 * INTERMEDIATE * HIDDEN)


def write_checkpoint(path, megabytes, seed, first_layer=0):
    """A safetensors file of whole random layers totalling about `megabytes`."""
    rng = np.random.default_rng(seed)
    layers = max(1, round(megabytes * 2**20 / LAYER_BYTES))
    tensors = {}
    for i in range(layers):
        tensors.update(layer_tensors(rng, first_layer + i))
    tmp = path.with_name(path.name + ".tmp")
    save_file(tensors, str(tmp), metadata={"format": "pt"})
    os.replace(tmp, path)
    return layers


def write_sparse(path, gigabytes):
    """A header describing `gigabytes` of F32 tensors, then a hole up to the full length."""
    rows, cols = 16384, 16384  # 1 GiB per tensor
    count = max(1, gigabytes)
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    for i in range(count):
        size = rows * cols * 4
        header[f"model.layers.{i}.mlp.weight"] = {"dtype": "F32", "shape": [rows, cols], "data_offsets": [offset, offset + size]}
        offset += size
    blob = json.dumps(header, separators=(",", ":")).encode()
    blob += b" " * (-len(blob) % 8)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(blob)) + blob)
        f.truncate(8 + len(blob) + offset)  # no data written: a sparse file
    os.replace(tmp, path)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dir", type=pathlib.Path)
    parser.add_argument("--load-mb", type=int, default=1024)
    parser.add_argument("--quant-mb", type=int, default=256)
    parser.add_argument("--sign-mb", type=int, default=1024)
    parser.add_argument("--sparse-gb", type=int, default=10)
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    made = {}

    load = args.dir / f"load-{args.load_mb}MB.safetensors"
    if not load.exists():
        write_checkpoint(load, args.load_mb, seed=1)
    made["load"] = str(load)

    quant = args.dir / f"quant-{args.quant_mb}MB.safetensors"
    if not quant.exists():
        write_checkpoint(quant, args.quant_mb, seed=2)
    made["quant"] = str(quant)

    sign = args.dir / f"sign-{args.sign_mb}MB"
    if not (sign / "config.json").exists():
        sign.mkdir(exist_ok=True)
        shards = 4
        for s in range(shards):
            name = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
            write_checkpoint(sign / name, args.sign_mb / shards, seed=10 + s, first_layer=s * 100)
        (sign / "tokenizer.json").write_text(json.dumps({"model": {"vocab": {f"t{i}": i for i in range(20000)}}}))
        (sign / "config.json").write_text(json.dumps({"model_type": "llama", "hidden_size": HIDDEN}) + "\n")
    made["sign"] = str(sign)

    sparse = args.dir / f"sparse-{args.sparse_gb}GB.safetensors"
    if not sparse.exists():
        write_sparse(sparse, args.sparse_gb)
    made["sparse"] = str(sparse)
    print(json.dumps(made))


if __name__ == "__main__":
    main()
