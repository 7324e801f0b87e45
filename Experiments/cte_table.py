"""Builds Experiments/cte.md from the reports Experiments/cte.sh wrote (stdlib only)."""
import json, os, statistics, sys

out, seeds = sys.argv[1], sys.argv[2].split()
METHODS = ["mcto", "dac", "sc", "random"]
CRITERIA = ["validity", "proximity", "diversity", "state_importance", "realisticness", "sparsity"]
load = lambda p: json.load(open(p))

def ms(values):
    v = [x for x in values if x is not None]
    if not v: return "—"
    sd = statistics.stdev(v) if len(v) > 1 else 0.0
    return f"{statistics.mean(v):.3f} ± {sd:.3f}"

def score(result, split, kind, key):
    s = result[split].get(kind)
    return None if s is None else s["mean"][key]

rows, few, fixtures = {m: {} for m in METHODS}, {m: {} for m in METHODS}, []
for s in seeds:
    d = os.path.join(out, f"seed{s}")
    fixtures.append(load(os.path.join(d, "fixture.json")))
    proxy = {r["method"]: r for r in load(os.path.join(d, "proxy.json"))["methods"]}
    proxy_few = {r["method"]: r for r in load(os.path.join(d, "proxy-few.json"))["methods"]}
    for m in METHODS:
        for kind in ["mlp", "linear"]:
            for key in ["proxy_pearson", "pairwise_accuracy"]:
                few[m].setdefault((kind, key), []).append(score(proxy_few[m], "out_of_distribution", kind, key))
    for m in METHODS:
        cte = load(os.path.join(d, f"cte-{m}.json"))
        r = rows[m]
        r.setdefault("quality", []).append(cte["quality"])
        r.setdefault("validity", []).append(cte["mean_criteria"]["validity"])
        r.setdefault("length", []).append(statistics.mean(len(e["counterfactual"]["actions"]) + 1 for e in cte["explanations"]))
        for kind in ["mlp", "linear"]:
            for split in ["out_of_distribution", "in_distribution"]:
                for key in ["proxy_pearson", "proxy_spearman", "pairwise_accuracy"]:
                    r.setdefault((kind, split, key), []).append(score(proxy[m], split, kind, key))

print("# Counterfactual trajectory explanations of a learned reward (METHODS.md §10)\n")
print("Regenerate: `bash Experiments/cte.sh` (release binary; about 20 minutes on 2 busy cores). "
      f"Seeds {', '.join(seeds)}: each seed is its own 10×10 world (3 people, walls, obstacles, horizon 30), "
      "its own soft-optimal demonstrator and its own reward MLP learned from 512 preference pairs "
      "(Bradley–Terry). Per seed and method, `temper explain-reward` makes "
      f"{len(load(os.path.join(out, 'seed' + seeds[0], 'cte-mcto.json'))['explanations'])} CTEs (one per fresh demonstrator rollout, "
      "all weights 1), and `temper audit reward-explanations` trains the proxy human on 80 % of one "
      "method's CTEs (3 initialisations) and tests it on the held-out 20 % (in distribution) and on the union of "
      "all four methods' held-out CTEs plus fresh rollout pairs (out of distribution; the paper's \"combined\" test set). "
      "Tables give mean ± sd over the seeds (each seed's value is itself the mean over proxy initialisations).\n")
agree = [f["held_out_preference_agreement"] for f in fixtures]
print(f"Learned rewards order {statistics.mean(agree) * 100:.1f} % (min {min(agree) * 100:.1f} %) of fresh segment pairs as the true reward does.\n")

print("## Proxy-human informativeness, out of distribution\n")
print("| method | proxy | Pearson | Spearman | pairwise accuracy | Pearson (own held-out) | pairwise accuracy (own) |")
print("|---|---|---|---|---|---|---|")
for m in METHODS:
    for kind in ["mlp", "linear"]:
        r = rows[m]
        print(f"| {m} | {kind} | {ms(r[(kind, 'out_of_distribution', 'proxy_pearson')])} | {ms(r[(kind, 'out_of_distribution', 'proxy_spearman')])} | "
              f"{ms(r[(kind, 'out_of_distribution', 'pairwise_accuracy')])} | {ms(r[(kind, 'in_distribution', 'proxy_pearson')])} | "
              f"{ms(r[(kind, 'in_distribution', 'pairwise_accuracy')])} |")
order = sorted(METHODS, key=lambda m: -statistics.mean(x for x in rows[m][("mlp", "out_of_distribution", "proxy_pearson")] if x is not None))
print(f"\nOrdering by out-of-distribution Pearson (MLP proxy): {' > '.join(order)}. "
      "The paper's notebook (`compare_methods.ipynb`, NN proxy, single head, combined test set): "
      "MCTO 0.60, DaC 0.53, random 0.31; sign (pairwise) accuracy combined 0.68 / 0.67 / 0.63.\n")

print("## The same with only 10 training explanations per method\n")
print("`--train-limit 10`: the proxy sees 10 CTEs of the method (same held-out and out-of-distribution sets).\n")
print("| method | Pearson OOD (MLP) | pairwise accuracy OOD (MLP) | Pearson OOD (linear) | pairwise accuracy OOD (linear) |")
print("|---|---|---|---|---|")
for m in METHODS:
    v = few[m]
    print(f"| {m} | {ms(v[('mlp', 'proxy_pearson')])} | {ms(v[('mlp', 'pairwise_accuracy')])} | {ms(v[('linear', 'proxy_pearson')])} | {ms(v[('linear', 'pairwise_accuracy')])} |")
print()

print("## Generation: quality and cost (10×10)\n")
print("| method | mean quality (weights 1) | mean validity | mean counterfactual length (states) |")
print("|---|---|---|---|")
for m in METHODS:
    r = rows[m]
    print(f"| {m} | {ms(r['quality'])} | {ms(r['validity'])} | {ms(r['length'])} |")

print("\n## Leave one criterion out (DaC, that criterion's weight 0)\n")
print("All variants of a seed are audited together, so they share one out-of-distribution test set.\n")
print("| left out | Pearson OOD (MLP) | pairwise accuracy OOD (MLP) | Pearson OOD (linear) | pairwise accuracy OOD (linear) |")
print("|---|---|---|---|---|")
loo = {}
for s in seeds:
    d = os.path.join(out, f"seed{s}")
    for r in load(os.path.join(d, "loo-proxy.json"))["methods"]:
        name = os.path.basename(r["file"]).removesuffix(".json")
        name = "none (all weights 1)" if name == "cte-dac" else name.removeprefix("loo-")
        for kind in ["mlp", "linear"]:
            for key in ["proxy_pearson", "pairwise_accuracy"]:
                loo.setdefault(name, {}).setdefault((kind, key), []).append(score(r, "out_of_distribution", kind, key))
for name in ["none (all weights 1)"] + CRITERIA:
    v = loo[name]
    print(f"| {name} | {ms(v[('mlp', 'proxy_pearson')])} | {ms(v[('mlp', 'pairwise_accuracy')])} | {ms(v[('linear', 'proxy_pearson')])} | {ms(v[('linear', 'pairwise_accuracy')])} |")

print("\n## Explanations per second (release build, 2 shared cores, 10 explanations each)\n")
print("Mean weighted quality of the same 10 originals in parentheses (timings vary with the load of the shared machine).\n")
print("| method | 10×10, 3 people, horizon 30 | 30×30, 4 people, horizon 90 |")
print("|---|---|---|")
for m in METHODS + ["mcto10"]:
    cells = []
    for side in [10, 30]:
        path = os.path.join(out, f"speed{side}", f"cte-{m}.json")
        if not os.path.exists(path): cells.append("—"); continue
        c = load(path)
        cells.append(f"{c['explanations_per_second']:.1f} ({c['seconds_per_explanation'] * 1000:.3g} ms each; quality {c['quality']:.2f})")
    name = "mcto, 10 starting points" if m == "mcto10" else m
    print(f"| {name} | {cells[0]} | {cells[1]} |")
notes = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cte_notes.md")
if os.path.exists(notes):
    print("\n" + open(notes).read().rstrip())
