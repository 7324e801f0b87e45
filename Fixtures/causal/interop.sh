#!/usr/bin/env bash
# Part of make interop: transforms on non-world decoders (Fixtures/causal: GPT-2, Qwen2,
# Llama) write folders that transformers loads with the logits Temper computes.
#   bash Fixtures/causal/interop.sh BIN VENV_PYTHON WORK
# Needs torch + transformers in the venv: installed from the machine's CPU torch wheel
# (/opt/wheels) when present; otherwise the check says it is skipped (never a pass).
set -euo pipefail
BIN=$1 PY=$2 WORK=$3
HERE=$(cd "$(dirname "$0")" && pwd)
if ! "$PY" -c "import torch, transformers" 2>/dev/null; then
    wheel=$(ls /opt/wheels/torch-*cpu*.whl 2>/dev/null | head -1 || true)
    if [[ -z "$wheel" ]]; then echo "skip - transformers load check: no CPU torch wheel in /opt/wheels"; exit 0; fi
    "$(dirname "$PY")/pip" install --quiet "$wheel" transformers >/dev/null
fi
status=0
for m in gpt2 qwen2 llama; do
    out=$WORK/causal-$m
    "$BIN" harden repnoise "$HERE/$m" "$out" --harmful "$HERE/data/pairs.jsonl" --retain "$HERE/data/harmless.jsonl" \
        --steps 2 --batch 4 --max-length 64 --force >/dev/null 2>"$WORK/causal-$m.log" || { echo "FAIL - temper harden repnoise $m"; cat "$WORK/causal-$m.log"; status=1; continue; }
    "$BIN" logits "$out" --ids 0,5,17,33,101,7,250 --json > "$WORK/causal-$m.logits.json"
    if "$PY" "$HERE/check_with_transformers.py" "$out" "$WORK/causal-$m.logits.json"; then
        echo "ok   - transformers loads Temper's RepNoise output of $m with the same logits"
    else
        echo "FAIL - transformers logits differ on Temper's RepNoise output of $m"; status=1
    fi
done
exit $status
