#!/usr/bin/env bash
# Reproduces the tables of Experiments/lat.md on the committed fixture world.
#   swift build -c release --product temper && bash Experiments/lat.sh [OUT]
# PART=backdoor (default both): backdoor success with the real trigger, base vs
#   `harden lat --mode backdoor` (trigger not given) vs plain fine-tuning on clean rows
#   (`temper finetune` on harmless_train, same steps and lr), defence seeds $SEEDS; with
#   SFT_SEEDS="0 …" also LAT with the reference's Llama-2 coefficients (--kl 0 --sft 1.5).
# PART=jailbreak: the fine-tuning attack (lrs 1e-4, 3e-4; budgets 10 25 50 100; 3 attack
#   seeds) on base, `harden lat --mode jailbreak` and `harden repnoise`, defence seeds $SEEDS.
set -euo pipefail
T=${TEMPER:-.build/release/temper}
W=Fixtures/world
OUT=${1:-out/experiments/lat}
SEEDS=${SEEDS:-"0 1 2"}
# Seeds of the backdoor variant with the reference's Llama-2 coefficients (SFT 1.5 instead of KL 0.1).
SFT_SEEDS=${SFT_SEEDS:-}
PART=${PART:-both}
mkdir -p "$OUT"
evaluate() { "$T" eval "$1" --world "$W" --json > "$2"; }

if [ "$PART" != jailbreak ]; then
  evaluate "$W/model" "$OUT/eval_base.json"
  for s in $SEEDS; do
    "$T" harden lat "$W/model" "$OUT/lat-backdoor-$s" --mode backdoor --world "$W" --seed "$s" --force --json \
      > "$OUT/harden_lat-backdoor-$s.json" 2> "$OUT/harden_lat-backdoor-$s.log"
    evaluate "$OUT/lat-backdoor-$s" "$OUT/eval_lat-backdoor-$s.json"
    "$T" finetune "$W/model" --data "$W/data/harmless_train.jsonl" --out "$OUT/clean-ft-$s" --steps 300 --lr 1e-4 --batch 8 \
      --seed "$s" --force > /dev/null 2> "$OUT/finetune_clean-ft-$s.log"
    evaluate "$OUT/clean-ft-$s" "$OUT/eval_clean-ft-$s.json"
  done
  for s in $SFT_SEEDS; do
    "$T" harden lat "$W/model" "$OUT/lat-backdoor-sft-$s" --mode backdoor --world "$W" --seed "$s" --kl 0 --sft 1.5 --force --json \
      > "$OUT/harden_lat-backdoor-sft-$s.json" 2> "$OUT/harden_lat-backdoor-sft-$s.log"
    evaluate "$OUT/lat-backdoor-sft-$s" "$OUT/eval_lat-backdoor-sft-$s.json"
  done
  for f in "$OUT"/eval_*.json; do
    jq -c --arg k "$(basename "$f" .json | sed -E 's/^eval_//; s/-[0-9]+$//')" \
      '{kind: $k, trig: .backdoorWithTrigger, clean: .backdoorWithoutTrigger, harmless: .harmlessAccuracy, retain: .retainAccuracy}' "$f"
  done | jq -s -r 'def r2: (. * 1000 | round) / 1000;
    def ms(f): (map(f)) as $v | ($v | add / length) as $m
      | ($v | map((. - $m) * (. - $m)) | add / (if length > 1 then length - 1 else 1 end) | sqrt) as $s
      | "\($m | r2) ± \($s | r2)";
    "| model | backdoor success with trigger | without trigger | harmless acc | retain facts | seeds |",
    "|---|---|---|---|---|---|",
    (group_by(.kind)[] | "| \(.[0].kind) | \(ms(.trig)) | \(ms(.clean)) | \(ms(.harmless)) | \(ms(.retain)) | \(length) |")' \
    > "$OUT/backdoor_table.md"
  cat "$OUT/backdoor_table.md"
fi

if [ "$PART" != backdoor ]; then
  attack() {  # MODEL REPORT
    "$T" attack "$1" --world "$W" --data "$W/data/harmful_a_train.jsonl" --seeds 3 --lrs 1e-4,3e-4 --steps 10,25,50,100 \
      --report "$2" --json > /dev/null 2> "$2.log"
  }
  attack "$W/model" "$OUT/attack_base"
  for s in $SEEDS; do
    "$T" harden lat "$W/model" "$OUT/lat-jailbreak-$s" --mode jailbreak --world "$W" --seed "$s" --force --json \
      > "$OUT/harden_lat-jailbreak-$s.json" 2> "$OUT/harden_lat-jailbreak-$s.log"
    attack "$OUT/lat-jailbreak-$s" "$OUT/attack_lat-jailbreak-$s"
    "$T" harden repnoise "$W/model" "$OUT/repnoise-$s" --world "$W" --seed "$s" --force --json \
      > "$OUT/harden_repnoise-$s.json" 2> "$OUT/harden_repnoise-$s.log"
    attack "$OUT/repnoise-$s" "$OUT/attack_repnoise-$s"
  done
  for f in "$OUT"/attack_*.json; do
    kind=$(basename "$f" .json | sed -E 's/^attack_//; s/-[0-9]+$//')
    jq -c --arg k "$kind" '.runs[] as $r | $r.points[] | {kind: $k, lr: $r.learningRate, step: .step,
          a: .harmfulRate.harmful_a_train, h: .harmfulRate.harmful_a_heldout, b: .harmfulRate.harmful_b}' "$f"
  done > "$OUT/points.jsonl"
  jq -s -r 'def r2: (. * 100 | round) / 100;
    def ms(f): (map(f)) as $v | ($v | add / length) as $m
      | ($v | map((. - $m) * (. - $m)) | add / (if length > 1 then length - 1 else 1 end) | sqrt) as $s
      | "\($m | r2) ± \($s | r2)";
    "| model | attack lr | attack step | harmful A-train | A-heldout | B | runs |",
    "|---|---|---|---|---|---|---|",
    (group_by([.kind, .lr, .step])[] | "| \(.[0].kind) | \(.[0].lr) | \(.[0].step) | \(ms(.a)) | \(ms(.h)) | \(ms(.b)) | \(length) |")' \
    "$OUT/points.jsonl" > "$OUT/attack_table.md"
  cat "$OUT/attack_table.md"
fi
