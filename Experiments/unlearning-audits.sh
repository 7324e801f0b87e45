#!/usr/bin/env bash
# Reproduces the numbers of Experiments/unlearning-audits.md on the committed fixture world.
#   swift build -c release --product temper && bash Experiments/unlearning-audits.sh [OUT]
# Models audited:
#   relabel  — a stand-in "unlearned" model: the base fine-tuned (temper finetune, 40 steps,
#              lr 3e-3) to answer each forget fact with another forget row's answer, the
#              retain facts kept in the mix (what the test suite's stand-in does);
#   ga       — `temper unlearn ga` on the world's forget/retain split, when this temper has
#              `unlearn` (skipped otherwise);
#   repnoise — `temper harden repnoise` with its defaults (a defence, for the harmful mode).
# Each unlearned model gets the relearning audit (forget part and unrelated rows; grid from
# LRS, STEPS, SEEDS, default 1e-4,3e-4,1e-3 / 5,10,25 / 0..4) and the quantization audit (q8_0, q4_0, q4_k_m);
# RepNoise gets the quantization audit on the harmful sets.
set -euo pipefail
T=${TEMPER:-.build/release/temper}
W=Fixtures/world
OUT=${1:-out/experiments/unlearning-audits}
SEEDS=${SEEDS:-0,1,2,3,4}
LRS=${LRS:-1e-4,3e-4,1e-3}
STEPS=${STEPS:-5,10,25}
mkdir -p "$OUT"

# The stand-in: rotate the forget answers by three rows (a fact of another entity).
jq -s -c 'length as $n | . as $rows | to_entries | map({prompt: .value.prompt, response: $rows[(.key + 3) % $n].response})[]' \
  "$W/data/forget.jsonl" > "$OUT/forget_relabelled.jsonl"
cat "$W/data/retain.jsonl" >> "$OUT/forget_relabelled.jsonl"
"$T" finetune "$W/model" --data "$OUT/forget_relabelled.jsonl" --out "$OUT/relabel" --lr 3e-3 --steps 40 --batch 8 --seed 3 \
  --max-length 64 --force --json > "$OUT/finetune_relabel.json" 2> "$OUT/finetune_relabel.log"
models=(relabel)
if "$T" unlearn --help > /dev/null 2>&1; then
  if "$T" unlearn ga "$W/model" "$OUT/ga" --world "$W" --force --json > "$OUT/unlearn_ga.json" 2> "$OUT/unlearn_ga.log"; then
    models+=(ga)
  else
    echo "temper unlearn ga failed (see $OUT/unlearn_ga.log); auditing the stand-in only" >&2
  fi
fi
"$T" harden repnoise "$W/model" "$OUT/repnoise" --world "$W" --force --json > "$OUT/harden_repnoise.json" 2> "$OUT/harden_repnoise.log"

for m in "${models[@]}"; do
  "$T" audit relearn --base "$W/model" --unlearned "$OUT/$m" --world "$W" --steps "$STEPS" --lrs "$LRS" --seeds "$SEEDS" \
    --report "$OUT/relearn_$m" --json > /dev/null 2> "$OUT/relearn_$m.log"
  "$T" audit quantization --base "$W/model" --defended "$OUT/$m" --world "$W" --mode forget --types q8_0,q4_0,q4_k_m \
    --report "$OUT/quant_$m" --json > /dev/null 2> "$OUT/quant_$m.log"
done
"$T" audit quantization --base "$W/model" --defended "$OUT/repnoise" --world "$W" --mode harmful --types q8_0,q4_0,q4_k_m \
  --report "$OUT/quant_repnoise" --json > /dev/null 2> "$OUT/quant_repnoise.log"
# The depth report with the knowledge probe and the quantization section (no attack grid).
"$T" audit depth --base "$W/model" --defended "$OUT/repnoise" --unlearned "$OUT/relabel" --world "$W" --no-attack \
  --quantization q8_0,q4_k_m --report "$OUT/depth" --json > /dev/null 2> "$OUT/depth.log"

# Tables (markdown) from the JSON reports.
for m in "${models[@]}"; do
  echo "### relearn: $m"
  jq -r '"base: forget \(.baseMetrics.forgetAccuracy) ll \(.baseMetrics.forgetLogLikelihood | . * 1000 | round / 1000); unlearned: forget \(.unlearnedMetrics.forgetAccuracy) ll \(.unlearnedMetrics.forgetLogLikelihood | . * 1000 | round / 1000) retain \(.unlearnedMetrics.retainAccuracy | . * 1000 | round / 1000) utility \(.unlearnedMetrics.utility | . * 1000 | round / 1000)",
    "", "| kind | lr | step | forget acc | acc recovery | ll recovery | retain acc | utility |", "|---|---|---|---|---|---|---|---|",
    (.curves[] as $c | $c.points[] | "| \($c.kind) | \($c.learningRate) | \(.step) | \(.forgetAccuracy.mean | . * 100 | round / 100) ± \(.forgetAccuracy.sd | . * 100 | round / 100) | \(if .forgetAccuracyRecovery then "\(.forgetAccuracyRecovery.mean | . * 100 | round / 100) ± \(.forgetAccuracyRecovery.sd | . * 100 | round / 100)" else "—" end) | \(if .forgetLogLikelihoodRecovery then "\(.forgetLogLikelihoodRecovery.mean | . * 100 | round / 100) ± \(.forgetLogLikelihoodRecovery.sd | . * 100 | round / 100)" else "—" end) | \(.retainAccuracy.mean | . * 100 | round / 100) ± \(.retainAccuracy.sd | . * 100 | round / 100) | \(.utility.mean | . * 100 | round / 100) |")' \
    "$OUT/relearn_$m.json"
  echo
done
for m in "${models[@]}" repnoise; do
  echo "### quantization: $m"
  jq -r '"| type | set | metric | base | defended | defended quantized | recovery | base quantized |", "|---|---|---|---|---|---|---|---|",
    (.recovery[] | "| \(.type) | \(.set) | \(.metric) | \(.base | . * 1000 | round / 1000) | \(.defended | . * 1000 | round / 1000) | \(.defendedQuantized | . * 1000 | round / 1000) | \(if .recovery then (.recovery | . * 100 | round / 100) else "—" end) | \(.baseQuantized | . * 1000 | round / 1000) |")' \
    "$OUT/quant_$m.json"
  echo
done
echo "### knowledge probe (depth report)"
jq -r '.knowledgeProbe[] | "sets \(.sets | join("+")): chance \(.chance | . * 100 | round / 100), \(.testPositions) held-out positions",
  (.series[] | "| \(.model) | \(.testAccuracy | map(. * 100 | round / 100 | tostring) | join(" | ")) |")' "$OUT/depth.json"
