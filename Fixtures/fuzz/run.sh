#!/usr/bin/env bash
# `make fuzz`: every parser of untrusted bytes under libFuzzer + AddressSanitizer.
#
#   bash Fixtures/fuzz/run.sh [RUNS] [TARGET…]
#
# Builds Sources/TemperFuzz with -sanitize=fuzzer,address (-DFUZZING) into .build-fuzz, seeds
# one corpus per target from Fixtures (valid files and the malformed corpus, files < 256 KiB),
# and runs each target for RUNS inputs (default 100000; FUZZ_RUNS also sets it) with a 10 s
# per-input timeout and a 2 GiB RSS limit (FUZZ_SEED fixes libFuzzer's seed; 0 = random; CI
# uses a fixed one). Leak detection is off: Foundation's own caches (Data.write, FileManager)
# report small one-time leaks that are not Temper's. A crash, a hang or an allocation bomb fails the
# run and leaves the input in out/fuzz/ (replay it with `.build/debug/TemperFuzz TARGET FILE`;
# each one found becomes a malformed-corpus case with its typed error).
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-${FUZZ_RUNS:-100000}}
shift || true
TARGETS=("$@")
[[ ${#TARGETS[@]} -gt 0 ]] || TARGETS=(safetensors gguf sharded-index tokenizer config chat-template jsonl bundle provenance manifest)
SWIFT=${SWIFT:-swift}

"$SWIFT" build -c release --product TemperFuzz --scratch-path .build-fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING >&2
BIN=.build-fuzz/release/TemperFuzz
OUT=out/fuzz
mkdir -p "$OUT"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/temper-fuzz.XXXXXX")
# Each fuzzer keeps its scratch file in /dev/shm/temper-fuzz-PID: remove those whose process is
# gone (not those of another run going on at the same time).
cleanup() {
    rm -rf "$WORK" 2>/dev/null || true
    for d in /dev/shm/temper-fuzz-*; do
        [[ -e $d ]] || continue
        kill -0 "${d##*-}" 2>/dev/null || rm -rf "$d" 2>/dev/null || true
    done
}
trap cleanup EXIT

seeds() {
    case $1 in
        safetensors) find Fixtures -name '*.safetensors' -size -256k ;;
        gguf) find Fixtures -name '*.gguf' -size -256k ;;
        sharded-index) find Fixtures -name '*.index.json' ;;
        tokenizer) find Fixtures -name 'tokenizer.json' -size -256k ;;
        config) find Fixtures -name 'config.json' ;;
        chat-template) find Fixtures -name '*.jinja' -size -256k ;;
        jsonl) find Fixtures -name '*.jsonl' -size -256k ;;
        bundle) find Fixtures -name '*.sig' ;;
        provenance) find Fixtures -name 'temper.provenance.json' ;;
        manifest) find Fixtures -name 'temper.manifest.json' ;;
    esac
}

failures=0
for t in "${TARGETS[@]}"; do
    corpus=$WORK/$t
    mkdir -p "$corpus"
    n=0
    while IFS= read -r f; do cp "$f" "$corpus/seed-$n"; n=$((n + 1)); done < <(seeds "$t")
    start=$(date +%s)
    if ASAN_OPTIONS=detect_leaks=0 TEMPER_FUZZ_TARGET=$t "$BIN" "$corpus" -runs="$RUNS" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -detect_leaks=0 -seed="${FUZZ_SEED:-0}" -artifact_prefix="$OUT/$t-" -print_final_stats=1 >"$WORK/$t.log" 2>&1; then
        execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$WORK/$t.log" | grep -o '[0-9]*$' || echo "?")
        echo "ok   - $t: $execs inputs from $n seeds in $(( $(date +%s) - start )) s, no crash, hang or runaway allocation"
    else
        failures=$((failures + 1))
        echo "FAIL - $t (input kept in $OUT/$t-*)"
        grep -E 'ERROR|SUMMARY|Fatal|deadly|timeout|out-of-memory' "$WORK/$t.log" | head -5
        tail -25 "$WORK/$t.log"
    fi
done
[[ $failures == 0 ]] && echo "fuzz: all targets passed" || { echo "fuzz: $failures target(s) failed"; exit 1; }
