"""Side-by-side per-op profile from `TemperBench ops --config X` and `ops_peer.py --config X`.

    python ops_table.py TEMPER.json TORCH.json     (each file: the JSON line the tool printed)

Columns: forward and backward ms per call for each side, and ms per training step
(calls per step × (forward + backward), residual adds also counted for the 5 gradient
accumulations per layer of the backward pass).
"""
import json
import sys


def main():
    temper, torch = (json.loads(open(p).read().strip().splitlines()[-1]) for p in sys.argv[1:3])
    theirs = {r["op"]: r for r in torch["ops"]}
    print(f"{'op':29} {'Temper fwd':>10} {'bwd':>8} {'/step':>8} | {'torch fwd':>9} {'bwd':>8} {'/step':>8} | ratio")
    for r in temper["ops"]:
        p = theirs.get(r["op"])
        line = f"{r['op']:29} {r['forward_ms']:10.3f} {r['backward_ms']:8.3f} {r['step_share_ms']:8.2f} | "
        if p:
            ratio = p["step_share_ms"] / r["step_share_ms"] if r["step_share_ms"] else float("nan")
            line += f"{p['forward_ms']:9.3f} {p['backward_ms']:8.3f} {p['step_share_ms']:8.2f} | {ratio:5.2f}×"
        print(line)
    print(f"{'sum (ms per step)':29} {'':10} {'':8} {temper['sum_of_ops_ms']:8.1f} | {'':9} {'':8} {torch['sum_of_ops_ms']:8.1f} |")


if __name__ == "__main__":
    main()
