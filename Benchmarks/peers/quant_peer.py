"""Peers of the F32 → Q8_0 benchmarks, with gguf-py.

    python quant_peer.py quantize FILE.safetensors [--repeats N]   in memory, every F32 tensor
    python quant_peer.py convert IN.safetensors OUT.gguf           the whole file → GGUF Q8_0
    python quant_peer.py compare A.gguf B.gguf                     same tensors, same bytes?

`quantize` times `gguf.quants.quantize(arr, GGMLQuantizationType.Q8_0)` over tensors already
in memory (as TemperBench `quantize` times `Quantize.encode`). `convert` is the gguf-py way of
doing `temper convert IN OUT --dtype q8_0`: load_file, quantize each 2-D tensor whose rows
are whole blocks (others stay F32), GGUFWriter header + KV + tensor infos + data.
"""
import argparse
import importlib.metadata
import json

import numpy as np
from gguf import GGMLQuantizationType, GGUFWriter
from gguf.quants import quantize
from safetensors.numpy import load_file

from common import median, report, samples

Q8_0 = GGMLQuantizationType.Q8_0


def quantizable(array):
    return array.dtype == np.float32 and array.ndim == 2 and array.shape[-1] % 32 == 0


def run_quantize(args):
    tensors = [t for t in load_file(args.file).values() if t.dtype == np.float32]
    out = {}

    def body():
        out["bytes"] = sum(quantize(t, Q8_0).nbytes for t in tensors)

    times = samples(body, args.repeats)
    m = median(times)
    inputs = sum(t.nbytes for t in tensors)
    report({"benchmark": "quantize_q8_0", "peer": f"gguf-py {importlib.metadata.version('gguf')} quants.quantize",
            "tensors": len(tensors), "input_bytes": inputs, "output_bytes": out["bytes"],
            "times_s": times, "median_s": m, "gb_per_s": inputs / m / 1e9})


def run_convert(args):
    tensors = load_file(args.input)
    writer = GGUFWriter(args.output, "temper-bench")
    for name, array in tensors.items():
        if quantizable(array):
            writer.add_tensor(name, quantize(array, Q8_0), raw_dtype=Q8_0)
        else:
            writer.add_tensor(name, array)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def run_compare(args):
    from gguf import GGUFReader
    a, b = GGUFReader(args.a), GGUFReader(args.b)
    tb = {t.name: t for t in b.tensors}
    same, differing = 0, []
    for t in a.tensors:
        other = tb.get(t.name)
        if other is not None and t.tensor_type == other.tensor_type and t.data.tobytes() == other.data.tobytes():
            same += 1
        else:
            differing.append(t.name)
    print(json.dumps({"identical_tensors": same, "tensors": len(a.tensors), "differing": differing,
                      "missing_in_a": sorted(set(tb) - {t.name for t in a.tensors})}))


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    q = sub.add_parser("quantize")
    q.add_argument("file")
    q.add_argument("--repeats", type=int, default=3)
    c = sub.add_parser("convert")
    c.add_argument("input")
    c.add_argument("output")
    d = sub.add_parser("compare")
    d.add_argument("a")
    d.add_argument("b")
    args = parser.parse_args()
    {"quantize": run_quantize, "convert": run_convert, "compare": run_compare}[args.command](args)


if __name__ == "__main__":
    main()
