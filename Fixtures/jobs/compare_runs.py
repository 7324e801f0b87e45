"""Fidelity of a torch-engine run against Temper's own run of the same transform.

    python compare_runs.py SWIFT_LOSSES ENGINE_LOSSES --steps K [--swift-model A --engine-model B --weight-tol T]

Losses: for each of the first K steps, the two losses.jsonl lines must have the same keys
(step, every loss part, lr, grad_norm) and each value must agree within 1e-5 relative,
relative to max(|a|, |b|, 0.1): parts far below 0.1 (a retain CE of 0.001 is a sum of
log-probabilities near 0) are held to 1e-6 absolute, which is float32's resolution there.
Weights (optional): every tensor of the base's names in both folders, relative L2 distance
‖a − b‖ / ‖a‖ at most T. Prints the largest differences; exits 1 on any failure.
"""

import argparse
import json
import os
import sys

import numpy as np
from safetensors.numpy import load_file

REL = 1e-5
FLOOR = 0.1


def lines(path):
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]


def tensors(folder):
    out = {}
    for name in sorted(os.listdir(folder)):
        if name.endswith(".safetensors"):
            out.update(load_file(os.path.join(folder, name)))
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("swift")
    p.add_argument("engine")
    p.add_argument("--steps", type=int, required=True)
    p.add_argument("--swift-model")
    p.add_argument("--engine-model")
    p.add_argument("--weight-tol", type=float, default=1e-4)
    a = p.parse_args()
    s, e = lines(a.swift), lines(a.engine)
    ok = True
    if len(s) < a.steps or len(e) < a.steps:
        print(f"too few steps: swift {len(s)}, engine {len(e)}, need {a.steps}")
        return 1
    worst = {}
    for i in range(a.steps):
        if list(s[i]) != list(e[i]):
            print(f"step {i + 1}: keys differ: {list(s[i])} vs {list(e[i])}")
            ok = False
            continue
        for k, x in s[i].items():
            y = e[i][k]
            if not isinstance(x, (int, float)) or not isinstance(y, (int, float)):
                print(f"step {i + 1} {k}: not numbers: {x!r} vs {y!r}")
                ok = False
                continue
            rel = abs(x - y) / max(abs(x), abs(y), FLOOR)
            worst[k] = max(worst.get(k, 0.0), rel)
            if rel > REL:
                print(f"step {i + 1} {k}: swift {x!r} engine {y!r} (relative {rel:.2e} > {REL:g})")
                ok = False
    print("largest relative difference per part over %d steps: %s" % (a.steps, ", ".join(f"{k} {v:.1e}" for k, v in worst.items())))
    if a.swift_model and a.engine_model:
        ta, tb = tensors(a.swift_model), tensors(a.engine_model)
        if sorted(ta) != sorted(tb):
            print(f"tensor names differ: {sorted(set(ta) ^ set(tb))[:5]}")
            return 1
        rels = {}
        for k in ta:
            x, y = ta[k].astype(np.float64), tb[k].astype(np.float64)
            if x.shape != y.shape or ta[k].dtype != tb[k].dtype:
                print(f"{k}: {ta[k].dtype}{x.shape} vs {tb[k].dtype}{y.shape}")
                ok = False
                continue
            rels[k] = np.linalg.norm(x - y) / max(np.linalg.norm(x), 1e-30)
        name = max(rels, key=rels.get)
        print(f"weights: largest relative L2 {rels[name]:.2e} ({name}), median {np.median(list(rels.values())):.1e}, tolerance {a.weight_tol:g}")
        if rels[name] > a.weight_tol:
            ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
