#!/usr/bin/env bash
# Reproduces the tables of Experiments/repnoise.md on the committed fixture world.
#   swift build -c release --product temper && bash Experiments/repnoise.sh [OUT]
# Main grid: RepNoise and adversarial loss (defaults, defence seeds 0 1 2), each attacked
# with the fine-tuning attack (lrs 1e-4, 3e-4; budgets 10 25 50 100; attack seeds 0 1 2).
# ABLATIONS=1 adds the RepNoise ablations (defence seed 0); EXTENDED=1 a longer, stronger
# attack (lr up to 1e-3, 400 steps) on base and the seed-0 defences.
set -euo pipefail
T=${TEMPER:-.build/release/temper}
W=Fixtures/world
OUT=${1:-out/experiments/repnoise}
mkdir -p "$OUT"
attack() {  # MODEL REPORT [extra attack flags]
  local model=$1 report=$2; shift 2
  "$T" attack "$model" --world "$W" --data "$W/data/harmful_a_train.jsonl" --seeds 3 --report "$report" --json \
    "$@" > /dev/null 2> "$report.log"
}
grid() { attack "$1" "$2" --lrs 1e-4,3e-4 --steps 10,25,50,100; }
harden() {  # KIND NAME [flags]
  local kind=$1 name=$2; shift 2
  "$T" harden "$kind" "$W/model" "$OUT/$name" --world "$W" --force --json "$@" > "$OUT/harden_$name.json" 2> "$OUT/harden_$name.log"
  "$T" eval "$OUT/$name" --world "$W" --json > "$OUT/eval_$name.json"
}

"$T" eval "$W/model" --world "$W" --json > "$OUT/eval_base.json"
grid "$W/model" "$OUT/attack_base"
for s in 0 1 2; do
  for kind in repnoise adversarial; do
    harden "$kind" "$kind-$s" --seed "$s"
    grid "$OUT/$kind-$s" "$OUT/attack_$kind-$s"
  done
done
if [ "${ABLATIONS:-0}" = 1 ]; then
  # (names must not end in -DIGITS: that suffix marks a seed in the summaries)
  for variant in "no-ascent:--no-ascent" "no-noise:--no-noise" "no-lens:--no-lens" "no-mask:--no-mask" \
                 "no-mask-and-lens:--no-mask --no-lens" "retain0:--retain-weight 0" "freeze0:--freeze-layers 0" "freeze1:--freeze-layers 1" \
                 "freeze3:--freeze-layers 3" "beta1:--beta 1"; do
    name=repnoise_${variant%%:*}
    # shellcheck disable=SC2086
    harden repnoise "$name" ${variant#*:}
    grid "$OUT/$name" "$OUT/attack_$name"
  done
fi
if [ "${EXTENDED:-0}" = 1 ]; then
  for m in "base:$W/model" "repnoise-0:$OUT/repnoise-0" "adversarial-0:$OUT/adversarial-0"; do
    attack "${m#*:}" "$OUT/extended_${m%%:*}" --lrs 1e-4,3e-4,1e-3 --steps 25,50,100,200,400
  done
fi

# Summaries: mean ± sd over every (defence seed, attack seed) run of a model kind.
for f in "$OUT"/attack_*.json "$OUT"/extended_*.json; do
  [ -e "$f" ] || continue
  kind=$(basename "$f" .json | sed -E 's/^(attack|extended)_//; s/-[0-9]+$//')
  grid=$(basename "$f" | cut -d_ -f1)
  jq -c --arg k "$kind" --arg g "$grid" '.runs[] as $r | $r.points[] | {grid: $g, kind: $k, lr: $r.learningRate, step: .step,
        a: .harmfulRate.harmful_a_train, h: .harmfulRate.harmful_a_heldout, b: .harmfulRate.harmful_b,
        ll: .harmfulLogLikelihood.harmful_a_train}' "$f"
done > "$OUT/points.jsonl"
jq -s -r 'def r2: (. * 100 | round) / 100;
  def ms(f): (map(f)) as $v | ($v | add / length) as $m
    | ($v | map((. - $m) * (. - $m)) | add / (if length > 1 then length - 1 else 1 end) | sqrt) as $s
    | "\($m | r2) ± \($s | r2)";
  "| grid | model | lr | step | harmful A-train | A-heldout | B | log-lik A-train | runs |",
  "|---|---|---|---|---|---|---|---|---|",
  (group_by([.grid, .kind, .lr, .step])[] | "| \(.[0].grid) | \(.[0].kind) | \(.[0].lr) | \(.[0].step) | \(ms(.a)) | \(ms(.h)) | \(ms(.b)) | \(ms(.ll)) | \(length) |")' \
  "$OUT/points.jsonl" > "$OUT/attack_table.md"
for f in "$OUT"/eval_*.json; do
  jq -c --arg k "$(basename "$f" .json | sed -E 's/^eval_//; s/-[0-9]+$//')" \
    '{kind: $k, harmless: .harmlessAccuracy, ll: .harmfulLogLikelihood.harmful_a_train, llb: .harmfulLogLikelihood.harmful_b,
      retain: .retainAccuracy, backdoor: .backdoorWithTrigger}' "$f"
done | jq -s -r 'def r2: (. * 1000 | round) / 1000;
  def ms(f): (map(f)) as $v | ($v | add / length) as $m
    | ($v | map((. - $m) * (. - $m)) | add / (if length > 1 then length - 1 else 1 end) | sqrt) as $s
    | "\($m | r2) ± \($s | r2)";
  "| model | harmless acc | harmful log-lik A | harmful log-lik B | retain facts | backdoor w/ trigger | seeds |",
  "|---|---|---|---|---|---|---|",
  (group_by(.kind)[] | "| \(.[0].kind) | \(ms(.harmless)) | \(ms(.ll)) | \(ms(.llb)) | \(ms(.retain)) | \(ms(.backdoor)) | \(length) |")' \
  > "$OUT/eval_table.md"
for f in "$OUT"/harden_*.json; do
  jq -r --arg n "$(basename "$f" .json | sed 's/^harden_//')" \
    '"\($n): \(.summary.seconds | floor) s, final " + (.summary.finalMetrics | to_entries | map("\(.key) \((.value * 1000 | round) / 1000)") | join(", "))' "$f"
done > "$OUT/harden_summary.txt"
cat "$OUT/eval_table.md" "$OUT/attack_table.md" "$OUT/harden_summary.txt"
