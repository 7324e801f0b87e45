"""Peer of TemperBench `load`: safetensors.numpy.load_file of the whole file into memory.

    python load_peer.py FILE.safetensors [--repeats N]
"""
import argparse

import safetensors
from safetensors.numpy import load_file

from common import median, report, samples


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    info = {}

    def load():
        tensors = load_file(args.file)
        info["tensors"] = len(tensors)
        info["bytes"] = sum(t.nbytes for t in tensors.values())

    times = samples(load, args.repeats)
    m = median(times)
    report({"benchmark": "load", "peer": f"safetensors {safetensors.__version__} numpy.load_file", **info,
            "times_s": times, "median_s": m, "gb_per_s": info["bytes"] / m / 1e9})


if __name__ == "__main__":
    main()
