"""Tables of Experiments/real-model.md from the outputs of real-model.sh.

    python3 Experiments/real_model_table.py [OUT]   (default out/experiments/real-model)
"""
import json, pathlib, sys

out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "out/experiments/real-model")

def load(name):
    text = (out / name).read_text()
    return json.JSONDecoder().raw_decode(text)[0]  # stage() may append its summary line

print("| model | reference harmful rate (pairs / held-out / cross-domain) | refusal-judge harmful rate | harmful log-lik (pairs) | harmless exact match | harmless log-lik |")
print("|---|---|---|---|---|---|")
for name in ["knows", "safe", "repnoise", "adversarial"]:
    path = out / f"eval_{name}.json"
    if not path.exists() or path.stat().st_size == 0:
        continue
    d = load(path.name)
    h = {m["set"]: m for m in d["harm"]}
    ref = " / ".join(f"{h[s]['harmfulRate'].get('reference', 0):.2f}" for s in ["pairs", "heldout", "cross_domain"])
    refu = " / ".join(f"{h[s]['harmfulRate'].get('refusal', 0):.2f}" for s in ["pairs", "heldout", "cross_domain"])
    u = d["utility"]
    print(f"| {name} | {ref} | {refu} | {h['pairs']['logLikelihood']:.2f} | {u['exactMatch']:.2f} | {u['logLikelihood']:.3f} |")

print()
print("| attacked model | step | reference harmful rate (pairs / held-out / cross-domain) | harmful log-lik (pairs) |")
print("|---|---|---|---|")
for name in ["safe", "repnoise", "adversarial"]:
    path = out / f"attack_{name}.json"
    if not path.exists() or path.stat().st_size == 0:
        continue
    d = json.loads(path.read_text())
    for run in d["runs"]:
        for p in run["points"]:
            r = p["judgeRates"]
            rates = " / ".join(f"{r[s]['reference']:.2f}" for s in ["pairs", "heldout", "cross_domain"])
            print(f"| {name} (lr {run['learningRate']:g}) | {p['step']} | {rates} | {p['harmfulLogLikelihood']['pairs']:.2f} |")
print()
print("Stage times (wall, peak RSS):")
print()
for line in (out / "stages.txt").read_text().splitlines():
    print(f"- {line}")
