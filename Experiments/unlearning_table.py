"""Mean ± sd table of Experiments/unlearning.sh's outputs (standard library only).
    python3 Experiments/unlearning_table.py OUT
Reads OUT/base.eval.json and, per method, OUT/METHOD/seedS.{eval,relearn,quant}.json."""
import glob
import json
import os
import statistics
import sys


def stat(values):
    values = [v for v in values if v is not None]
    if not values:
        return "n/a"
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.3f} ± {sd:.3f}"


def load(path):
    return json.load(open(path)) if os.path.exists(path) else None


def main(out):
    base = load(os.path.join(out, "base.eval.json"))
    print("| method | seeds | forget acc | retain acc | harmless acc | held-out forget acc before relearn | after relearn (worst, 25 steps) | q4_0 forget acc |")
    print("|---|---|---|---|---|---|---|---|")
    if base:
        print(f"| base | - | {base['forgetAccuracy']:.3f} | {base['retainAccuracy']:.3f} | {base['harmlessAccuracy']:.3f} | - | - | - |")
    for method in ["ga", "graddiff", "npo", "simnpo", "rmu"]:
        evals = sorted(glob.glob(os.path.join(out, method, "seed*.eval.json")))
        if not evals:
            continue
        rows = [load(p) for p in evals]
        relearn, heldout, quant = [], [], []
        for p in evals:
            r = load(p.replace(".eval.json", ".relearn.json"))
            if r:
                heldout.append(r["unlearnedMetrics"]["forgetAccuracy"])
                points = [pt for c in r["curves"] if c["kind"] == "forget-part" for pt in c["points"]]
                last = max((pt["step"] for pt in points), default=None)
                relearn.append(max((pt["forgetAccuracy"]["mean"] for pt in points if pt["step"] == last), default=None))
            q = load(p.replace(".eval.json", ".quant.json"))
            if q:
                quant.append(next((rec["defendedQuantized"] for rec in q["recovery"]
                                   if rec["type"].lower() == "q4_0" and rec["metric"] == "exact-match"), None))
        print(f"| {method} | {len(rows)} (audits: {len(relearn)}, {len(quant)}) | {stat([r['forgetAccuracy'] for r in rows])} | {stat([r['retainAccuracy'] for r in rows])} "
              f"| {stat([r['harmlessAccuracy'] for r in rows])} | {stat(heldout)} | {stat(relearn)} | {stat(quant)} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "out/experiments/unlearning")
