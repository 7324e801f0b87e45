"""Peer of `temper inspect`: list every tensor's name, dtype and shape with safetensors'
safe_open (header only), as one process run.

    python inspect_peer.py FILE.safetensors
"""
import json
import sys

from safetensors import safe_open


def main():
    tensors = []
    with safe_open(sys.argv[1], "np") as f:
        for name in f.keys():
            piece = f.get_slice(name)
            tensors.append({"name": name, "dtype": piece.get_dtype(), "shape": piece.get_shape()})
    total = sum(1 for _ in tensors)
    print(json.dumps({"tensors": total}))


if __name__ == "__main__":
    main()
