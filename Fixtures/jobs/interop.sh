#!/usr/bin/env bash
# Part of make interop: Temper's transforms as jobs for the torch engine (Engines/torch,
# torchrun + FSDP2 on CPU gloo, float32), checked against Temper's own runs.
#   bash Fixtures/jobs/interop.sh BIN VENV_PYTHON WORK
# For the fixture world and a non-world Llama (Fixtures/causal/llama):
#   temper harden|unlearn … --log-losses  vs  temper job export … → run.sh --nproc 1 and --nproc 2:
#   every loss part of the first steps within 1e-5 relative (compare_runs.py), final
#   weights within 1e-4 relative L2 per tensor; then job import → audit depth → verify,
#   and import refusals: config edited (3), other base (3), missing tensor (65), NaN (65).
# Needs torch + transformers + safetensors in the venv (causal/interop.sh installs them from
# /opt/wheels); without them the checks say they are skipped (never a pass).
set -euo pipefail
BIN=$1 PY=$2 WORK=$3
HERE=$(cd "$(dirname "$0")" && pwd)
FIX=$(cd "$HERE/.." && pwd)
if ! "$PY" -c "import torch, transformers, safetensors, numpy" 2>/dev/null; then
    echo "skip - torch-engine jobs: torch/transformers not in the venv"; exit 0
fi
export PYTHON=$PY
STEPS=${TEMPER_JOB_STEPS:-4}
# TEMPER_JOB_ONLY=REGEX runs only the checks whose name matches (e.g. world-unlearn).
status=0
ok() { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; status=1; }
expect_exit() {
    local code=$1 what=$2; shift 2
    set +e; "$@" >"$WORK/job-out" 2>&1; local rc=$?; set -e
    if [[ $rc == "$code" ]]; then ok "$what"; else fail "$what (exit $rc, expected $code)"; cat "$WORK/job-out"; fi
}
"$BIN" keygen --out "$WORK/job-key.pem" --force >/dev/null

# check NAME MODEL "COMMAND METHOD" [transform options…]   (e.g. "harden repnoise", "unlearn npo")
check() {
    local name=$1 model=$2 transform=$3; shift 3
    if [[ -n ${TEMPER_JOB_ONLY:-} && ! $name =~ $TEMPER_JOB_ONLY ]]; then return; fi
    local w=$WORK/job-$name swift=$WORK/job-$name-swift
    # shellcheck disable=SC2086  # "$transform" is two words: the command and its method
    "$BIN" $transform "$model" "$swift" "$@" --steps "$STEPS" --log-losses "$swift.jsonl" --force >/dev/null 2>"$w.log" \
        || { fail "temper $transform on $name"; cat "$w.log"; return; }
    # shellcheck disable=SC2086
    "$BIN" job export $transform "$model" "$@" --steps "$STEPS" --out "$w" --force >/dev/null 2>>"$w.log" \
        || { fail "temper job export $transform on $name"; cat "$w.log"; return; }
    engine_runs "$name" "$transform" "$swift" --swift-model "$swift"
}

# engine_runs NAME TRANSFORM SWIFT [compare options]: run.sh at world size 1 and 2 against
# SWIFT.jsonl (and the weights with --swift-model), then job import → verify (→ audit depth).
engine_runs() {
    local name=$1 transform=$2 swift=$3; shift 3
    local w=$WORK/job-$name model=$FIX/world/model
    for n in 1 2; do
        "$w/run.sh" --nproc $n --standalone --out "$w/out$n" >>"$w.log" 2>&1 \
            || { fail "run.sh --nproc $n ($transform on $name)"; tail -20 "$w.log"; continue; }
        if "$PY" "$HERE/compare_runs.py" "$swift.jsonl" "$w/out$n/losses.jsonl" --steps "$STEPS" \
            "$@" --engine-model "$w/out$n" >"$w.cmp$n" 2>&1; then
            ok "$transform on $name, world size $n: loss parts = temper's (1e-5)$([[ $# -gt 0 ]] && echo ', weights within 1e-4'): $(tr '\n' ' ' <"$w.cmp$n")"
        else
            fail "$transform on $name, world size $n differs from temper"; cat "$w.cmp$n"
        fi
    done
    [[ -d $w/out2 ]] || return
    ln -sfn out2 "$w/output"
    local out=$WORK/job-$name-imported
    if "$BIN" job import "$w" "$out" --key "$WORK/job-key.pem" --force >/dev/null 2>>"$w.log" \
        && "$BIN" verify "$out" --key "$WORK/job-key.pub.pem" >/dev/null 2>>"$w.log" \
        && grep -q '"world_size" : 2\|"world_size": 2\|"world_size":2' "$out/temper.provenance.json"; then
        ok "job import → verify on $name (provenance names the engine, world size 2)"
    else
        fail "job import/verify on $name"; tail -5 "$w.log"
    fi
    if [[ $name == world-repnoise ]]; then
        expect_ok_audit=("$BIN" audit depth --base "$model" --defended "$out" --world "$FIX/world" --no-attack --report "$WORK/job-depth")
        if "${expect_ok_audit[@]}" >/dev/null 2>>"$w.log"; then ok "audit depth runs on the imported model"; else fail "audit depth on the imported model"; tail -5 "$w.log"; fi
    fi
}

check world-repnoise "$FIX/world/model" "harden repnoise" --world "$FIX/world"
check world-adversarial "$FIX/world/model" "harden adversarial" --world "$FIX/world"
check llama-repnoise "$FIX/causal/llama" "harden repnoise" --harmful "$FIX/causal/data/pairs.jsonl" --retain "$FIX/causal/data/harmless.jsonl" --batch 4 --max-length 64
# temper unlearn as jobs: the forget/retain batches come from Temper (NPO's π_ref is the base, loaded twice).
for m in ga graddiff npo; do
    check "world-unlearn-$m" "$FIX/world/model" "unlearn $m" --world "$FIX/world"
done
# SimNPO at its default lr 3e-4 agrees in every loss part (≤ 4e-7) but its 4th-step grad_norm
# drifts to 1.6e-5 relative (float32 rounding of three larger updates, weights 7.8e-5), so its
# formula is checked at NPO's lr 1e-4.
check world-unlearn-simnpo "$FIX/world/model" "unlearn simnpo" --world "$FIX/world" --lr 1e-4
# RMU: l, c and c·u come from Temper (data/control.safetensors); the frozen model is the base loaded twice.
check world-unlearn-rmu "$FIX/world/model" "unlearn rmu" --world "$FIX/world"

# Targeted LAT: δ starts at zero (as Temper's) and its ε radii come from Temper (job.json lat).
# Checked with the adversary's lr at 1e-4 and without KL: at the default adversary lr 1e-2,
# AdamW's first steps are ≈ lr·sign(g) on δ elements whose gradient is float32 noise (45% of
# them below 1e-7 after the last block), so the two runs' δ part after one inner step
# (def_away 2.3e-5); and KL to the base has a pure-rounding gradient at the start (the model
# is the base), which AdamW turns into full-size steps on weights nothing else moves
# (kl 15% apart after one update). Both are float32 conditioning, not the formulas. In unlearn
# mode the model's gradient norm follows δ's noise most (2.5e-5 at adversary lr 1e-4, 3.7e-6 at
# 1e-7), so it is checked at 1e-5.
check world-lat-jailbreak "$FIX/world/model" "harden lat" --mode jailbreak --world "$FIX/world" --model-steps-per-attack 2 \
    --adversary-steps 4 --adversary-lr 1e-4 --kl 0 --sft 1
check world-lat-unlearn "$FIX/world/model" "harden lat" --mode unlearn --world "$FIX/world" --model-steps-per-attack 2 \
    --adversary-steps 4 --adversary-lr 1e-5

# The fine-tuning attack, one run (lr 1e-4, seed 0) as temper attack trains it; temper attack
# keeps no weights, so the losses (whose step k reflects the weights after k − 1 updates) are compared.
if [[ -z ${TEMPER_JOB_ONLY:-} || world-attack =~ $TEMPER_JOB_ONLY ]]; then
    a=$WORK/job-world-attack
    if "$BIN" attack "$FIX/world/model" --world "$FIX/world" --lrs 1e-4 --seeds 1 --steps "$STEPS" --judge loglik \
            --report "$a-report" --log-losses "$a-swift.jsonl" >/dev/null 2>"$a.log" \
        && "$BIN" job export attack "$FIX/world/model" --world "$FIX/world" --lr 1e-4 --seed 0 --steps "$STEPS" \
            --out "$a" --force >/dev/null 2>>"$a.log"; then
        engine_runs world-attack "attack finetune" "$a-swift"
    else
        fail "temper attack / job export attack on the world"; cat "$a.log"
    fi
fi

# Import refusals on copies of the world job: nothing may be written or signed.
J=$WORK/job-world-repnoise
if [[ -d $J/out2 ]]; then
    bad() { rm -rf "$WORK/job-bad"; cp -r "$J" "$WORK/job-bad"; rm -f "$WORK/job-bad/output"; cp -r "$J/out2" "$WORK/job-bad/output"; }
    bad; sed -i 's/"alpha" : 1/"alpha" : 2/; s/"alpha": 1/"alpha": 2/' "$WORK/job-bad/config.json"
    expect_exit 3 "job import refuses a config edited after export (exit 3)" "$BIN" job import "$WORK/job-bad" "$WORK/job-bad-out" --key "$WORK/job-key.pem"
    bad
    expect_exit 3 "job import refuses another base model (exit 3)" "$BIN" job import "$WORK/job-bad" "$WORK/job-bad-out" --base "$FIX/causal/llama"
    bad; "$PY" - "$WORK/job-bad/output/model.safetensors" <<'PY'
import sys
from safetensors.numpy import load_file, save_file
t = load_file(sys.argv[1]); t.pop("model.norm.weight"); save_file(t, sys.argv[1])
PY
    expect_exit 65 "job import refuses an output with a missing tensor (exit 65)" "$BIN" job import "$WORK/job-bad" "$WORK/job-bad-out"
    bad; sed -i '2s/"loss":[^,]*/"loss":NaN/' "$WORK/job-bad/output/losses.jsonl"
    expect_exit 65 "job import refuses a run with NaN in losses.jsonl (exit 65)" "$BIN" job import "$WORK/job-bad" "$WORK/job-bad-out"
    if [[ -e $WORK/job-bad-out ]]; then fail "a refused import left $WORK/job-bad-out"; else ok "refused imports wrote nothing"; fi
fi
exit $status
