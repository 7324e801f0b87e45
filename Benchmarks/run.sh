#!/usr/bin/env bash
# `make bench`: every benchmark runs Temper and its peer on the same input in the same run,
# then prints a table (medians, ratio = peer time / Temper time, peak RSS) and writes
# Benchmarks/out/results.json. See Benchmarks/README.md.
#
#   bash Benchmarks/run.sh [TEMPER_BINARY]
#
# Environment (defaults fit a 2-core, 24 GiB machine and take a few minutes):
#   TEMPER_BENCH_VENV       existing venv with the peers (else Benchmarks/.venv, created)
#   TEMPER_BENCH_ONLY       comma list of: load,quantize,dequantize,inspect,sign,train,llamaquant,infer  (default: all)
#   TEMPER_BENCH_LLAMA_LAYERS  layers of the f32 Llama GGUF for llamaquant (4: hidden 1024, ffn 2816, ~62M values)
#   TEMPER_BENCH_LOAD_MB    size of the load input (1024)      TEMPER_BENCH_QUANT_MB (256)
#   TEMPER_BENCH_SIGN_MB    size of the signed folder (1024)   TEMPER_BENCH_SPARSE_GB (10)
#   TEMPER_BENCH_REPEATS    timed repetitions, median reported (3; load uses max(5, this))
#   TEMPER_BENCH_TRAIN_STEPS  timed training steps per config (5, after 2 warm-up steps)
#   TEMPER_BENCH_TRAIN_CONFIGS  training configs to run (default "a b c"; c is SmolLM2-135M-shaped, ~1 min per side)
#   TEMPER_BENCH_OUT        output folder (Benchmarks/out)
#   TEMPER_BENCH_REPNOISE_MODEL  a Hugging Face model folder (e.g. SmolLM2-135M-Instruct): adds the
#                           `repnoise` row, one RepNoise step (batch 4 of Fixtures/causal pairs) in Temper
#                           and in PyTorch (peers/repnoise_peer.py); TEMPER_BENCH_REPNOISE_STEPS (3),
#                           TEMPER_BENCH_REPNOISE_TEMPLATE (the prompt template, default "{prompt} {response}")
#   TEMPER_BENCH_INFER_MODEL  a Hugging Face Llama folder (e.g. SmolLM2-135M-Instruct): the `infer` rows, prefill
#                           TEMPER_BENCH_INFER_PROMPT (128) and decode TEMPER_BENCH_INFER_GEN (64) tokens/s of
#                           `temper run` vs `llama-bench` on the same f32 and Q8_0 GGUFs (made by `temper convert`),
#                           TEMPER_BENCH_INFER_THREADS (2) each; TEMPER_BENCH_LLAMA_BENCH: a llama-bench binary
#                           (else Fixtures/llama_cpp_tools.sh builds one). Skipped when either is missing.
#   TEMPER_BENCH_MAX_BUSY   on a shared machine: before each benchmark wait (up to
#                           TEMPER_BENCH_WAIT_S, default 900 s) until other processes use at most
#                           this many cores, measured over 2 s (e.g. 0.3; default: no waiting)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$ROOT/Benchmarks
BIN=${1:-$ROOT/.build/release/temper}
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
SWIFT=${SWIFT:-swift}
OUT=${TEMPER_BENCH_OUT:-$BENCH/out}
RAW=$OUT/raw WORK=$OUT/work INPUTS=$OUT/inputs
REPEATS=${TEMPER_BENCH_REPEATS:-3}
LOAD_REPEATS=$(( REPEATS > 5 ? REPEATS : 5 ))
LOAD_MB=${TEMPER_BENCH_LOAD_MB:-1024} QUANT_MB=${TEMPER_BENCH_QUANT_MB:-256}
SIGN_MB=${TEMPER_BENCH_SIGN_MB:-1024} SPARSE_GB=${TEMPER_BENCH_SPARSE_GB:-10}
TRAIN_STEPS=${TEMPER_BENCH_TRAIN_STEPS:-5}
ONLY=",${TEMPER_BENCH_ONLY:-load,quantize,dequantize,inspect,sign,train,llamaquant,infer},"
wants() { [[ $ONLY == *",$1,"* ]]; }
say() { echo "bench: $*" >&2; }

[[ -x $BIN ]] || { say "no temper binary at $BIN (run: make bench)"; exit 1; }
# Raw results of the benchmarks not selected by TEMPER_BENCH_ONLY are kept (each row says
# when and under what load it was measured), so a subset can be re-run on its own.
rm -rf "$WORK"
mkdir -p "$RAW" "$WORK" "$INPUTS"

# --- Python peers: an existing venv, or Benchmarks/.venv; pip installs only what is missing.
if [[ -n ${TEMPER_BENCH_VENV:-} ]]; then
    VENV=$TEMPER_BENCH_VENV
else
    VENV=$BENCH/.venv
    [[ -x $VENV/bin/python ]] || { say "creating $VENV"; python3 -m venv "$VENV"; }
fi
PY=$VENV/bin/python
# Modules each selected benchmark needs (gen_inputs always needs numpy and safetensors).
modules="numpy:numpy safetensors:safetensors"
{ wants quantize || wants dequantize || wants infer; } && modules+=" gguf:gguf"
wants sign && modules+=" model_signing:model-signing cryptography:cryptography"
wants train && modules+=" torch:torch"
[[ -n ${TEMPER_BENCH_REPNOISE_MODEL:-} ]] && modules+=" torch:torch transformers:transformers"
missing=$("$PY" - $modules <<'PY'
import importlib.util, sys
print(" ".join(pair.split(":")[1] for pair in sys.argv[1:] if importlib.util.find_spec(pair.split(":")[0]) is None))
PY
)
if [[ -n $missing ]]; then
    say "installing into $VENV: $missing"
    "$PY" -m pip install --quiet $missing
fi

# --- Peak RSS comes from /usr/bin/time -v; install it when missing and root (else wait4 rusage).
if [[ ! -x /usr/bin/time && $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null 2>&1 || say "could not install time; using wait4 rusage"
fi

say "building TemperBench (release)"
(cd "$ROOT" && "$SWIFT" build -c release --product TemperBench >&2)
TB=$(cd "$ROOT" && "$SWIFT" build -c release --show-bin-path)/TemperBench

say "generating inputs in $INPUTS (reused when present)"
INPUT_JSON=$("$PY" "$BENCH/peers/gen_inputs.py" "$INPUTS" --load-mb "$LOAD_MB" --quant-mb "$QUANT_MB" \
    --sign-mb "$SIGN_MB" --sparse-gb "$SPARSE_GB")
input() { "$PY" -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$INPUT_JSON" "$1"; }
LOAD_FILE=$(input load) QUANT_FILE=$(input quant) SIGN_DIR=$(input sign) SPARSE_FILE=$(input sparse)

"$PY" - "$RAW/environment.json" "$LOAD_MB" "$QUANT_MB" "$SIGN_MB" "$SPARSE_GB" "$REPEATS" "$VENV" <<'PY'
import json, os, platform, subprocess, sys
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
json.dump({"load_average_start": [round(x, 2) for x in os.getloadavg()], "cpu": cpu, "cpus": os.cpu_count(),
           "sizes": {"load_mb": int(sys.argv[2]), "quant_mb": int(sys.argv[3]), "sign_mb": int(sys.argv[4]),
                     "sparse_gb": int(sys.argv[5])}, "repeats": int(sys.argv[6]), "venv": sys.argv[7],
           "page_cache": "warm: every input is read once before it is timed, and each in-process benchmark runs once untimed"},
          open(sys.argv[1], "w"))
PY

timecmd() { "$PY" "$BENCH/peers/timecmd.py" "$@"; }
busy_cores() {  # CPU cores busy over the last 2 s (from /proc/stat), e.g. 0.4
    local a b
    a=($(head -1 /proc/stat)); sleep 2; b=($(head -1 /proc/stat))
    awk -v u1="${a[1]}" -v n1="${a[2]}" -v s1="${a[3]}" -v i1="${a[4]}" -v w1="${a[5]}" \
        -v u2="${b[1]}" -v n2="${b[2]}" -v s2="${b[3]}" -v i2="${b[4]}" -v w2="${b[5]}" -v cpus="$(nproc)" \
        'BEGIN { busy = (u2 - u1) + (n2 - n1) + (s2 - s1); idle = (i2 - i1) + (w2 - w1);
                 total = busy + idle; printf "%.2f", (total > 0 ? cpus * busy / total : 0) }'
}
quiet() {  # on a shared machine, waits until other processes leave the CPU (TEMPER_BENCH_MAX_BUSY)
    [[ -n ${TEMPER_BENCH_MAX_BUSY:-} ]] || return 0
    local waited=0 limit=${TEMPER_BENCH_WAIT_S:-900} busy
    while busy=$(busy_cores); awk -v b="$busy" -v max="$TEMPER_BENCH_MAX_BUSY" 'BEGIN { exit !(b > max) }' \
          && (( waited < limit )); do
        (( waited % 60 < 2 )) && say "$busy cores busy (> $TEMPER_BENCH_MAX_BUSY), waiting (${waited}s)"
        waited=$((waited + 2))
    done
}
warm() { cat "$@" > /dev/null; }

if wants load; then
    quiet
    say "1. load $LOAD_FILE"
    rm -f "$RAW"/load_*.json
    warm "$LOAD_FILE"
    timecmd --repeats 1 --json-stdout -- "$TB" load "$LOAD_FILE" --repeats "$LOAD_REPEATS" > "$RAW/load_temper.json"
    timecmd --repeats 1 --json-stdout -- "$PY" "$BENCH/peers/load_peer.py" "$LOAD_FILE" --repeats "$LOAD_REPEATS" > "$RAW/load_peer.json"
fi

if wants quantize; then
    quiet
    say "2. F32 -> Q8_0 of $QUANT_FILE"
    rm -f "$RAW"/quantize_*.json "$RAW"/convert_*.json
    warm "$QUANT_FILE"
    timecmd --repeats 1 --json-stdout -- "$TB" quantize "$QUANT_FILE" --repeats "$REPEATS" > "$RAW/quantize_temper.json"
    timecmd --repeats 1 --json-stdout -- "$PY" "$BENCH/peers/quant_peer.py" quantize "$QUANT_FILE" --repeats "$REPEATS" > "$RAW/quantize_peer.json"
    T_GGUF=$WORK/temper-q8_0.gguf P_GGUF=$WORK/gguf-py-q8_0.gguf
    timecmd --repeats "$REPEATS" --before "rm -f '$T_GGUF'" -- "$BIN" convert "$QUANT_FILE" "$T_GGUF" --dtype q8_0 > "$RAW/convert_temper.json"
    timecmd --repeats "$REPEATS" --before "rm -f '$P_GGUF'" -- "$PY" "$BENCH/peers/quant_peer.py" convert "$QUANT_FILE" "$P_GGUF" > "$RAW/convert_peer.json"
    "$PY" "$BENCH/peers/quant_peer.py" compare "$T_GGUF" "$P_GGUF" > "$RAW/convert_compare.json"
    rm -f "$T_GGUF" "$P_GGUF"
fi

if wants dequantize; then
    for type in Q8_0 Q4_K; do
        quiet
        say "2c. $type -> F32 of $QUANT_MB MB of blocks"
        BLOCKS=$INPUTS/dequant-$type-${QUANT_MB}MB.bin
        [[ -f $BLOCKS ]] || "$PY" "$BENCH/peers/dequant_peer.py" make "$BLOCKS" "$type" "$QUANT_MB"
        timecmd --repeats 1 --json-stdout -- "$TB" dequantize "$BLOCKS" "$type" --repeats "$REPEATS" > "$RAW/dequantize_${type}_temper.json"
        timecmd --repeats 1 --json-stdout -- "$PY" "$BENCH/peers/dequant_peer.py" time "$BLOCKS" "$type" --repeats "$REPEATS" \
            > "$RAW/dequantize_${type}_peer.json"
    done
fi

if wants llamaquant; then
    # 6. GGUF F32 → Q8_0 / Q4_K_M: temper convert vs llama-quantize, same file, same thread count.
    rm -f "$RAW"/llamaquant_*.json
    # The peer is llama_model_quantize, the function llama-quantize runs (llama_quantize_min:
    # the same call without llama-quantize's argument parser; needs only libllama).
    if LLAMA_BIN=$(bash "$ROOT/Fixtures/llama_cpp_tools.sh" llama_quantize_min); then
        quiet
        LLAMA_SRC=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$(dirname "$LLAMA_BIN")/CMakeCache.txt")
        L_IN=$INPUTS/llama-f32-${TEMPER_BENCH_LLAMA_LAYERS:-4}.gguf
        if [[ ! -f $L_IN ]]; then
            "$PY" -m pip install --quiet pyyaml tqdm >&2
            "$PY" "$BENCH/peers/llama_quant_spec.py" "$WORK/llama-spec.json" --layers "${TEMPER_BENCH_LLAMA_LAYERS:-4}"
            PYTHONPATH=$LLAMA_SRC/gguf-py "$PY" "$ROOT/Fixtures/quant/make_tiny_llama_gguf.py" "$WORK/llama-spec.json" "$L_IN"
        fi
        say "6. GGUF F32 -> Q8_0, Q4_K_M of $L_IN: temper vs llama-quantize ($(nproc) threads)"
        warm "$L_IN"
        for ft in q8_0 q4_k_m; do
            num=$(awk -v t="$ft" '$1 == t { print $2 }' "$ROOT/Fixtures/quant/ftypes.txt")
            T_OUT=$WORK/temper-$ft.gguf L_OUT=$WORK/llama-$ft.gguf
            timecmd --repeats "$REPEATS" --before "rm -f '$T_OUT'" -- "$BIN" convert "$L_IN" "$T_OUT" --dtype "$ft" > "$RAW/llamaquant_${ft}_temper.json"
            timecmd --repeats "$REPEATS" --before "rm -f '$L_OUT'" -- "$LLAMA_BIN/llama_quantize_min" "$L_IN" "$L_OUT" "$num" "$(nproc)" > "$RAW/llamaquant_${ft}_peer.json"
            if cmp -s "$T_OUT" "$L_OUT"; then same=true; else same=false; fi
            echo "{\"identical\": $same, \"input_bytes\": $(stat -c %s "$L_IN")}" > "$RAW/llamaquant_${ft}_compare.json"
            rm -f "$T_OUT" "$L_OUT"
        done
    else
        say "6. skipped: the llama.cpp tools could not be built (see above)"
    fi
fi

if wants inspect; then
    quiet
    say "3. inspect $SPARSE_FILE (sparse, $SPARSE_GB GB)"
    rm -f "$RAW"/inspect_*.json
    "$PY" "$BENCH/peers/page_cache.py" drop "$SPARSE_FILE"
    "$BIN" inspect "$SPARSE_FILE" --json > /dev/null
    "$PY" "$BENCH/peers/page_cache.py" resident "$SPARSE_FILE" > "$RAW/inspect_resident.json"
    timecmd --repeats "$REPEATS" -- "$BIN" inspect "$SPARSE_FILE" --json > "$RAW/inspect_temper.json"
    timecmd --repeats "$REPEATS" -- "$PY" "$BENCH/peers/inspect_peer.py" "$SPARSE_FILE" > "$RAW/inspect_peer.json"
fi

if wants sign; then
    quiet
    say "4. hash + sign $SIGN_DIR"
    rm -f "$RAW"/sign_*.json "$RAW"/verify_*.json "$RAW"/sha256sum.json
    KEY=$WORK/key.pem PUB=$WORK/key.pub.pem
    "$BIN" keygen --out "$KEY" --curve p256 --force > /dev/null
    clean_temper="rm -f '$SIGN_DIR/model.sig' '$SIGN_DIR/temper.manifest.json'"
    eval "$clean_temper"
    files=("$SIGN_DIR"/*)
    warm "${files[@]}"
    timecmd --repeats "$REPEATS" --before "$clean_temper" -- "$BIN" sign "$SIGN_DIR" --key "$KEY" > "$RAW/sign_temper.json"
    timecmd --repeats "$REPEATS" -- "$BIN" verify "$SIGN_DIR" --key "$PUB" > "$RAW/verify_temper.json"
    # Like for like with model_signing: file digests only, no per-tensor manifest.
    timecmd --repeats "$REPEATS" --before "$clean_temper" -- "$BIN" sign "$SIGN_DIR" --key "$KEY" --no-manifest \
        > "$RAW/sign_files_temper.json"
    eval "$clean_temper"
    timecmd --repeats "$REPEATS" -- sha256sum "${files[@]}" > "$RAW/sha256sum.json"
    MS_SIG=$WORK/model_signing.sig
    timecmd --repeats "$REPEATS" --before "rm -f '$MS_SIG'" -- "$PY" "$BENCH/peers/model_signing_cli.py" \
        sign key "$SIGN_DIR" --private_key "$KEY" --signature "$MS_SIG" > "$RAW/sign_peer.json"
    timecmd --repeats "$REPEATS" -- "$PY" "$BENCH/peers/model_signing_cli.py" \
        verify key "$SIGN_DIR" --signature "$MS_SIG" --public_key "$PUB" > "$RAW/verify_peer.json"
fi

if wants train; then
    for config in ${TEMPER_BENCH_TRAIN_CONFIGS:-a b c}; do
        quiet
        say "5. training step, config $config"
        rm -f "$RAW/train_${config}_temper.json" "$RAW/train_${config}_peer.json"
        timecmd --repeats 1 --json-stdout -- env OPENBLAS_NUM_THREADS=2 "$TB" train --config "$config" \
            --steps "$TRAIN_STEPS" --profile 1 > "$RAW/train_${config}_temper.json"
        timecmd --repeats 1 --json-stdout -- "$PY" "$BENCH/peers/train_peer.py" --config "$config" \
            --steps "$TRAIN_STEPS" --threads 2 > "$RAW/train_${config}_peer.json"
    done
fi

if [[ -n ${TEMPER_BENCH_REPNOISE_MODEL:-} ]]; then
    quiet
    M=$TEMPER_BENCH_REPNOISE_MODEL N=${TEMPER_BENCH_REPNOISE_STEPS:-3} TPL=${TEMPER_BENCH_REPNOISE_TEMPLATE:-"{prompt} {response}"}
    PAIRS=$ROOT/Fixtures/causal/data/pairs.jsonl
    say "6. RepNoise step on $M"
    rm -f "$RAW"/repnoise_*.json
    # Temper: the training loop's own time over N steps (load and save excluded), RSS of the process.
    timecmd --repeats 1 -- sh -c "OPENBLAS_NUM_THREADS=2 '$BIN' harden repnoise '$M' '$WORK/repnoise' --harmful '$PAIRS' --retain-weight 0 \
        --steps $N --batch 4 --warmup 0 --template \"\$0\" --max-length 96 --force --json > '$WORK/repnoise.json'" "$TPL" > "$RAW/repnoise_temper_run.json"
    "$PY" - "$WORK/repnoise.json" "$RAW/repnoise_temper_run.json" "$N" > "$RAW/repnoise_temper.json" <<'PY'
import json, sys
summary, run = json.load(open(sys.argv[1]))["summary"], json.load(open(sys.argv[2]))
run["self"] = {"seconds_per_step": summary["seconds"] / summary["steps"], "steps": summary["steps"]}
print(json.dumps(run))
PY
    timecmd --repeats 1 --json-stdout -- "$PY" "$BENCH/peers/repnoise_peer.py" "$M" "$PAIRS" --template "$TPL" --batch 4 \
        --steps "$N" --threads 2 > "$RAW/repnoise_peer.json"
fi

if wants infer; then
    # 7. Inference vs llama.cpp: prefill and decode tokens/s of `temper run` and `llama-bench` on the
    # same f32 and Q8_0 GGUFs of one Hugging Face folder, alternating runs (peers/infer_peer.py).
    rm -f "$RAW"/infer_*.json
    IM=${TEMPER_BENCH_INFER_MODEL:-} LLAMA_BENCH=${TEMPER_BENCH_LLAMA_BENCH:-}
    if [[ -z $IM || ! -f $IM/config.json ]]; then
        say "7. infer skipped: set TEMPER_BENCH_INFER_MODEL to a Hugging Face Llama folder (e.g. SmolLM2-135M-Instruct)"
    elif [[ -z $LLAMA_BENCH ]] && ! LLAMA_BENCH=$(bash "$ROOT/Fixtures/llama_cpp_tools.sh" llama-bench)/llama-bench; then
        say "7. infer skipped: no llama-bench (Fixtures/llama_cpp_tools.sh could not build it; or set TEMPER_BENCH_LLAMA_BENCH)"
    elif [[ ! -x $LLAMA_BENCH ]]; then
        say "7. infer skipped: $LLAMA_BENCH is not an executable"
    else
        P=${TEMPER_BENCH_INFER_PROMPT:-128} N=${TEMPER_BENCH_INFER_GEN:-64} TH=${TEMPER_BENCH_INFER_THREADS:-2}
        for dt in f32 q8_0; do
            G=$INPUTS/infer-$(basename "$IM")-$dt.gguf
            [[ -f $G ]] || "$BIN" convert "$IM" "$G" --dtype "$dt" >&2
            quiet
            warm "$G"
            say "7. prefill $P / decode $N tokens of $G: temper run vs llama-bench, $TH threads each"
            "$PY" "$BENCH/peers/infer_peer.py" run --temper "$BIN" --llama-bench "$LLAMA_BENCH" --gguf "$G" \
                --prompt "$P" --gen "$N" --threads "$TH" --repeats "$REPEATS" > "$RAW/infer_$dt.json"
        done
    fi
fi

"$PY" "$BENCH/peers/report.py" "$OUT"
