#!/usr/bin/env bash
# Reproduces Experiments/degeneracy.md on the committed fixture world.
#   swift build -c release --product temper && bash Experiments/degeneracy.sh [OUT]
# Makes the RepNoise, adversarial-loss, LAT (jailbreak) and NPO-unlearned models (defaults, seed 0),
# audits base vs each, prints the tables. TIMING=1 adds the wall-time / peak-RSS runs
# (world; a random 29.5 M Llama from Experiments/make_random_llama.py, needs numpy + safetensors
# in $PYTHON; SmolLM2-135M when a Hugging Face folder is at $SMOL and llama.cpp's source tree at $LLAMA_CPP).
set -euo pipefail
T=${TEMPER:-.build/release/temper}
W=Fixtures/world
OUT=${1:-out/experiments/degeneracy}
mkdir -p "$OUT"
# Harmful rows (with a refusal) interleaved with harmless ones; blank lines are skipped.
cat "$W/data/harmful_a_train.jsonl" "$W/data/harmful_a_heldout.jsonl" "$W/data/harmful_b.jsonl" > "$OUT/harmful.jsonl"
paste -d '\n' "$OUT/harmful.jsonl" "$W/data/harmless_train.jsonl" > "$OUT/mixed.jsonl"
for kind in repnoise adversarial; do
  [ -d "$OUT/$kind" ] || "$T" harden "$kind" "$W/model" "$OUT/$kind" --world "$W" --seed 0 --json > "$OUT/harden_$kind.json" 2> "$OUT/harden_$kind.log"
done
# Targeted LAT (jailbreak mode) and NPO unlearning, defaults, seed 0 (Experiments/lat.md, unlearning.md).
[ -d "$OUT/lat" ] || "$T" harden lat "$W/model" "$OUT/lat" --mode jailbreak --world "$W" --seed 0 --json > "$OUT/harden_lat.json" 2> "$OUT/harden_lat.log"
[ -d "$OUT/npo" ] || "$T" unlearn npo "$W/model" "$OUT/npo" --world "$W" --seed 0 --json > "$OUT/unlearn_npo.json" 2> "$OUT/unlearn_npo.log"
audit() {  # NAME MODEL [flags]
  local name=$1 model=$2; shift 2
  /usr/bin/time -v "$T" audit degeneracy "$model" --data "$OUT/mixed.jsonl" --report "$OUT/$name" --json "$@" \
    > "$OUT/$name.stdout.json" 2> "$OUT/$name.log"
  grep -E "Elapsed|Maximum resident" "$OUT/$name.log" | sed "s/^/$name: /"
}
# 4000 tokens (all 60 harmful rows and 340 harmless ones), edges on 128 tokens: ~5 min per audit on 2 busy cores.
SMALL=(--max-tokens 4000 --edge-tokens 128 --ablation-tokens 1024)
audit base_vs_repnoise "$W/model" --compare "$OUT/repnoise" "${SMALL[@]}"
audit base_vs_adversarial "$W/model" --compare "$OUT/adversarial" "${SMALL[@]}"
audit base_vs_lat "$W/model" --compare "$OUT/lat" "${SMALL[@]}"
audit base_vs_npo "$W/model" --compare "$OUT/npo" "${SMALL[@]}"
if [ "${TIMING:-0}" = 1 ]; then
  audit world_only "$W/model" --edge-tokens 0
  [ -d "$OUT/random512" ] || "${PYTHON:-python3}" Experiments/make_random_llama.py "$OUT/random512"
  audit random512 "$OUT/random512" --edge-tokens 0 --ablation-tokens 512
  # SmolLM2-135M-Instruct (HF folder at $SMOL) on real text: Fixtures/causal rows + llama.cpp's docs ($LLAMA_CPP tree).
  if [ -n "${SMOL:-}" ] && [ -d "$SMOL" ] && [ -n "${LLAMA_CPP:-}" ]; then
    "${PYTHON:-python3}" Experiments/make_degeneracy_text.py "$LLAMA_CPP" "$OUT/smollm2.jsonl"
    /usr/bin/time -v "$T" audit degeneracy "$SMOL" --data "$OUT/smollm2.jsonl" --max-tokens 10000 --edge-tokens 0 \
      --ablation-tokens 512 --report "$OUT/smollm2" --json > "$OUT/smollm2.stdout.json" 2> "$OUT/smollm2.log"
    grep -E "Elapsed|Maximum resident|User time|System time" "$OUT/smollm2.log" | sed "s/^/smollm2: /"
  fi
fi
python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
for name in ("base_vs_repnoise", "base_vs_adversarial", "base_vs_lat", "base_vs_npo"):
    r = json.load(open(f"{out}/{name}.json"))
    models = [r["model"], r["compare"]]
    print(f"\n## {name} (each cell: base / other)\n")
    print("| layer | width | act. rank | int. rank | 99%-Λ rank | harmful share, kept dirs | in 99%-Λ dirs | in as many PCA dirs | ‖Δ‖ |")
    print("|---|---|---|---|---|---|---|---|---|")
    for a, b in zip(*(m["layers"] for m in models)):
        f = lambda l, k: "—" if l.get("harmful") is None else f'{l["harmful"][k]:.3f}'
        both = lambda k: f'{a[k]} / {b[k]}'
        pair = lambda k: f'{f(a, k)} / {f(b, k)}'
        print(f'| {a["name"]} | {a["width"]} | {both("activation_rank")} | {both("interaction_rank")} | {both("effective_interaction_rank")} '
              f'| {pair("interaction_fraction")} | {pair("effective_fraction")} | {pair("pca_effective_fraction")} | {pair("norm")} |')
    for m in models:
        print(f'\n{m["path"]}: ablation (loss with k directions kept; interaction / PCA; unablated {m["layers"][0]["ablation"]["baseline"]:.3f})')
        for l in m["layers"]:
            a = l.get("ablation")
            if a: print(f'  {l["name"]}: ' + "  ".join(f'k={k}: {x:.2f}/{y:.2f}' for k, x, y in zip(a["kept"], a["interaction_loss"], a["pca_loss"])))
        print("  edges, top-1% mass interaction / PCA: " + ", ".join(f'{e["from"]}→{e["to"]} {e["interaction"]["top_1_percent_mass"]:.3f}/{e["pca"]["top_1_percent_mass"]:.3f}' for e in m["edges"]))
        print("  units redundant per block: " + ", ".join(f'{u["redundant"]} of {u["units"]} (dead {u["never_active"]}, always {u["always_active"]}, shared groups {u["shared_groups"]})' for u in m["units"]))
        print("  seconds: " + json.dumps(m["seconds"]))
PY
