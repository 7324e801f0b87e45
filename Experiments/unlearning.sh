#!/usr/bin/env bash
# Reproduces Experiments/unlearning.md on the committed fixture world (Fixtures/world).
#   swift build -c release --product temper && bash Experiments/unlearning.sh [OUT]
# For each method (ga, graddiff, npo, simnpo, rmu) and seeds 0..SEEDS-1 (default 5):
#   temper unlearn METHOD world/model OUT --world W --seed S [the method's settings below]
#   temper eval                 forget / retain fact accuracy, harmless accuracy
#   temper audit relearn        fine-tuning on part of the forget set / on unrelated rows
#   temper audit quantization   q8_0 and q4_0 round trips of the unlearned model
# then prints the mean ± sd table (Experiments/unlearning_table.py, standard library only).
# RELEARN=0 or QUANT=0 skip the audits (the relearning audit is the slow part).
set -euo pipefail
T=${TEMPER:-.build/release/temper}
W=Fixtures/world
OUT=${1:-out/experiments/unlearning}
SEEDS=${SEEDS:-5}
PYTHON=${PYTHON:-python3}
mkdir -p "$OUT"
# Per-method settings: what the calibration in Experiments/unlearning.md chose (lr, steps).
settings() {
  case $1 in
    ga) echo "--lr 5e-5 --steps 60" ;;
    graddiff) echo "--lr 1e-4 --steps 60" ;;
    npo) echo "--lr 1e-4 --steps 60" ;;
    simnpo) echo "--lr 3e-4 --steps 60" ;;
    rmu) echo "--lr 1e-2 --steps 60 --retain-weight 10" ;;
  esac
}
"$T" eval "$W/model" --world "$W" --json > "$OUT/base.eval.json" 2> "$OUT/base.eval.log"
for method in ${METHODS:-ga graddiff npo simnpo rmu}; do
  for ((seed = 0; seed < SEEDS; seed++)); do
    run="$OUT/$method/seed$seed"
    mkdir -p "$OUT/$method"
    # shellcheck disable=SC2046
    [ -d "$run" ] || "$T" unlearn "$method" "$W/model" "$run" --world "$W" --seed "$seed" $(settings "$method") --json \
      > "$run.unlearn.json" 2> "$run.unlearn.log"
    "$T" eval "$run" --world "$W" --json > "$run.eval.json" 2> "$run.eval.log"
    if [ "${RELEARN:-1}" = 1 ]; then
      "$T" audit relearn --base "$W/model" --unlearned "$run" --world "$W" --steps 5,10,25 --lrs 1e-4,3e-4 --seeds 1 \
        --report "$run.relearn" --json > "$run.relearn.stdout.json" 2> "$run.relearn.log"
    fi
    if [ "${QUANT:-1}" = 1 ]; then
      "$T" audit quantization --base "$W/model" --defended "$run" --world "$W" --mode forget --types q8_0,q4_0 \
        --report "$run.quant" --json > "$run.quant.stdout.json" 2> "$run.quant.log"
    fi
    echo "$method seed $seed done" >&2
  done
done
"$PYTHON" Experiments/unlearning_table.py "$OUT"
