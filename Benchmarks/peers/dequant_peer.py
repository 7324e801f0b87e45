"""Peer of the dequantization benchmark, with gguf-py.

    python dequant_peer.py make OUT.bin TYPE MB       random raw blocks of TYPE (finite f16 scales)
    python dequant_peer.py time FILE.bin TYPE [--repeats N]

`time` measures `gguf.quants.dequantize(blocks, TYPE)` (numpy) over the whole file in
memory, as TemperBench `dequantize` measures `GGMLDequantize.decode` on the same file.
"""
import argparse
import importlib.metadata

import numpy as np
import gguf
from gguf.quants import dequantize

from common import median, report, samples

ROW = 4096  # elements per row (a typical hidden size)


def run_make(args):
    qtype = gguf.GGMLQuantizationType[args.type]
    block, size = gguf.GGML_QUANT_SIZES[qtype]
    per_row = ROW // block
    n = args.mb * 1_000_000 // size // per_row * per_row   # whole rows of ROW elements
    rng = np.random.default_rng(5)
    blocks = rng.integers(0, 256, size=(n, size), dtype=np.uint8)
    scales = (rng.standard_normal((n, 2)) * 0.01).astype(np.float16).view(np.uint8).reshape(n, 4)
    blocks[:, 0:4 if qtype == gguf.GGMLQuantizationType.Q4_K else 2] = scales[:, 0:4 if qtype == gguf.GGMLQuantizationType.Q4_K else 2]
    blocks.tofile(args.output)


def run_time(args):
    qtype = gguf.GGMLQuantizationType[args.type]
    raw = np.fromfile(args.file, dtype=np.uint8)
    block, size = gguf.GGML_QUANT_SIZES[qtype]
    rows = raw.reshape(-1, ROW // block * size)   # rows of ROW elements, as a weight matrix stores them
    times = samples(lambda: dequantize(rows, qtype), args.repeats)
    m = median(times)
    elements = raw.size // gguf.GGML_QUANT_SIZES[qtype][1] * gguf.GGML_QUANT_SIZES[qtype][0]
    report({"benchmark": f"dequantize_{args.type.lower()}", "peer": f"gguf-py {importlib.metadata.version('gguf')} quants.dequantize",
            "input_bytes": int(raw.size), "output_bytes": elements * 4, "times_s": times, "median_s": m,
            "gb_per_s": elements * 4 / m / 1e9})


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("make"); make.add_argument("output"); make.add_argument("type"); make.add_argument("mb", type=int)
    time_ = sub.add_parser("time"); time_.add_argument("file"); time_.add_argument("type"); time_.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    {"make": run_make, "time": run_time}[args.command](args)
