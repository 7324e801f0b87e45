#!/usr/bin/env bash
# Equivalence checks run by llama.cpp itself on Temper's HF → GGUF export (issue 17).
#
#   bash Fixtures/gguf_convert/check_llama_cpp.sh BIN PYTHON WORK [HF_FOLDER...]
#
# BIN is the temper binary, PYTHON one with torch, transformers, safetensors (what
# convert_hf_to_gguf.py needs), WORK a scratch folder (kept, so the GGUFs can be inspected).
# The llama.cpp side is libllama itself: llama_kld_min and llama_tokenize_min (this folder's .c
# files, linked against libllama by Fixtures/llama_cpp_tools.sh, ~8-10 min on 2 cores the first
# time) always; llama-perplexity and llama-tokenize as well when they are already built or
# TEMPER_LLAMA_FULL_TOOLS=1 (they need all of llama-common: ~20-30 min more on 2 cores). The
# llama.cpp tree is the one that build was configured from (or $TEMPER_LLAMA_CPP_SRC).
# Models: every Fixtures/gguf_convert/<case>/ folder with random weights (both exports made by
# check_convert_live.py, which also compares them key by key), plus each HF_FOLDER given
# (exported here both ways, e.g. SmolLM2-135M-Instruct dequantised with `temper convert
# model.gguf OUT/`). For each model:
#   KLD:      llama_kld_min REF OURS (and llama-perplexity --kl-divergence-base on REF then
#             --kl-divergence on OURS): REF is convert_hf_to_gguf's f32 GGUF, OURS Temper's; mean
#             KLD must be <= $TEMPER_KLD_MAX (default 1e-5). Input: tokenize_corpus.txt, repeated.
#   tokenize: libllama's ids (llama_tokenize_min, and llama-tokenize -p LINE --ids) on Temper's
#             GGUF for each line of tokenize_corpus.txt (special tokens parsed, bos/eos as the
#             GGUF says) must be those of `temper tokenize` on the HF folder (HF_FOLDERs; the
#             trimmed fixture tokenizers only report differences, see compare_ids), and the
#             same on convert_hf_to_gguf's GGUF as on Temper's.
# Prints `ok   - …` / `FAIL - …` lines (the differing strings and ids for a mismatch); exit 0
# when all pass, 1 otherwise.
set -euo pipefail

BIN=${1:?usage: check_llama_cpp.sh TEMPER_BINARY PYTHON WORK [HF_FOLDER...]}
PY=${2:?usage: check_llama_cpp.sh TEMPER_BINARY PYTHON WORK [HF_FOLDER...]}
WORK=${3:?usage: check_llama_cpp.sh TEMPER_BINARY PYTHON WORK [HF_FOLDER...]}
shift 3
HERE=$(cd "$(dirname "$0")" && pwd)
CORPUS=$HERE/tokenize_corpus.txt
KLD_MAX=${TEMPER_KLD_MAX:-1e-5}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)

TOOLS=$(bash "$HERE/../llama_cpp_tools.sh" llama_kld_min llama_tokenize_min)
FULL=0
if [[ ${TEMPER_LLAMA_FULL_TOOLS:-} == 1 ]] || [[ -x $TOOLS/llama-perplexity && -x $TOOLS/llama-tokenize ]]; then
    bash "$HERE/../llama_cpp_tools.sh" llama-perplexity llama-tokenize >/dev/null && FULL=1
fi
BUILD=${TEMPER_LLAMA_CPP_BUILD:-${TEMPER_CACHE:-$HOME/.cache/temper}/llama.cpp-build}
SRC=${TEMPER_LLAMA_CPP_SRC:-$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$BUILD/CMakeCache.txt")}
[[ -f $SRC/convert_hf_to_gguf.py ]] || { echo "check_llama_cpp: no convert_hf_to_gguf.py in '$SRC'" >&2; exit 1; }

failures=0
pass() { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; failures=$((failures + 1)); }
check_kld() {  # NAME VALUE DETAIL
    if [[ -z $2 ]]; then fail "$1: no mean KLD ($3)"
    elif awk -v k="$2" -v m="$KLD_MAX" 'BEGIN { exit !(k <= m) }'; then pass "$1: mean KLD $2 <= $KLD_MAX ($3)"
    else fail "$1: mean KLD $2 > $KLD_MAX ($3)"; fi
}

# The tiny folders: random weights, both exports, the key-by-key comparison.
if TEMPER_BIN=$BIN "$PY" "$HERE/check_convert_live.py" "$SRC" "$WORK" >"$WORK/convert_live.txt" 2>&1; then
    pass "check_convert_live.py: both exports identical key by key"
else
    fail "check_convert_live.py"; cat "$WORK/convert_live.txt"
fi
models=()   # name|hf folder|convert gguf|temper gguf|context|strict tokenizer check
for d in "$HERE"/*/; do
    name=$(basename "$d")
    [[ -f $d/config.json && -f $WORK/live/$name.temper.gguf ]] || continue
    models+=("$name|$WORK/live/$name|$WORK/live/$name.convert.gguf|$WORK/live/$name.temper.gguf|32|0")
done
for hf in "$@"; do
    name=$(basename "$hf")
    ref=$WORK/$name.convert.gguf ours=$WORK/$name.temper.gguf
    "$PY" "$SRC/convert_hf_to_gguf.py" "$hf" --outtype f32 --outfile "$ref" >"$WORK/$name.convert.log" 2>&1 \
        || { fail "$name: convert_hf_to_gguf.py"; tail -5 "$WORK/$name.convert.log"; continue; }
    "$BIN" convert "$hf" "$ours" --dtype f32 >"$WORK/$name.temper.log" 2>&1 \
        || { fail "$name: temper convert"; tail -5 "$WORK/$name.temper.log"; continue; }
    models+=("$name|$hf|$ref|$ours|128|1")
done

# NAME WHAT IDS_FILE STRICT: IDS_FILE against `temper tokenize` line by line. STRICT=0 (the
# committed fixtures, whose tokenizers keep only the tokens and merges convert's check string
# needs) reports differences as `note` lines: there Hugging Face tokenizers and llama.cpp's BPE
# part ways on words whose merges are missing, whichever converter wrote the GGUF.
compare_ids() {
    report=$("$PY" - "$WORK/$1.temper-tokenize.json" "$3" "$CORPUS" <<'PY'
import json, sys
enc = json.load(open(sys.argv[1]))["encodings"]
llama = open(sys.argv[2], encoding="utf-8").read().splitlines()
lines = open(sys.argv[3], encoding="utf-8").read().split("\n")
same = 0
for i, (e, l) in enumerate(zip(enc, llama)):
    ours = "[" + ", ".join(map(str, e["ids"])) + "]"
    if ours == l:
        same += 1
    else:
        print(f"    line {i + 1} {lines[i]!r}:\n      temper tokenize {ours}\n      llama-tokenize  {l}")
print(f"{same}/{len(enc)}")
PY
)
    summary=$(tail -1 <<<"$report")
    if [[ ${summary%/*} == "${summary#*/}" ]]; then
        pass "$1: $2 = temper tokenize on $summary corpus lines"
    elif [[ $4 == 1 ]]; then
        fail "$1: $2 = temper tokenize on only $summary corpus lines"
        sed '$d' <<<"$report"
    else
        echo "note - $1 (trimmed fixture vocabulary): $2 = temper tokenize on $summary corpus lines"
        sed '$d' <<<"$report"
    fi
}

# Perplexity input: the corpus, repeated so every model gets a few chunks.
TEXT=$WORK/kld_input.txt
: >"$TEXT"; for _ in $(seq "${TEMPER_KLD_REPEAT:-2}"); do cat "$CORPUS" >>"$TEXT"; done

for m in "${models[@]}"; do
    IFS='|' read -r name hf ref ours ctx strict <<<"$m"
    if line=$("$TOOLS/llama_kld_min" "$ref" "$ours" "$TEXT" "$ctx" 2>"$WORK/$name.kld-min.log"); then
        kld=$(awk '{for (i = 1; i < NF; i++) if ($i == "mean_kld") print $(i + 1)}' <<<"$line")
        check_kld "$name (libllama, double)" "$kld" "$line"
    else
        fail "$name: llama_kld_min failed"; tail -5 "$WORK/$name.kld-min.log"
    fi
    if [[ $FULL == 1 ]]; then
        base=$WORK/$name.kld-base
        common=(-f "$TEXT" -c "$ctx" -b "$ctx" -t 2 --no-warmup)
        if "$TOOLS/llama-perplexity" -m "$ref" "${common[@]}" --kl-divergence-base "$base" >"$WORK/$name.ppl-base.log" 2>&1 \
            && "$TOOLS/llama-perplexity" -m "$ours" "${common[@]}" --kl-divergence-base "$base" --kl-divergence \
                >"$WORK/$name.kld.log" 2>&1; then
            kld=$(sed -n 's/^Mean[[:space:]]*KLD:[[:space:]]*\([-0-9.e+]*\).*/\1/p' "$WORK/$name.kld.log" | head -1)
            check_kld "$name (llama-perplexity)" "$kld" "c=$ctx"
        else
            fail "$name: llama-perplexity failed (see $WORK/$name.ppl-base.log, $WORK/$name.kld.log)"
        fi
    fi

    # Token ids, line by line.
    out=$WORK/$name.tokenize.txt
    : >"$out"
    args=()
    while IFS= read -r line || [[ -n $line ]]; do args+=(--text "$line"); done <"$CORPUS"
    "$BIN" tokenize "$hf" "${args[@]}" --json >"$WORK/$name.temper-tokenize.json" 2>"$WORK/$name.temper-tokenize.err" \
        || { fail "$name: temper tokenize"; cat "$WORK/$name.temper-tokenize.err"; continue; }
    "$TOOLS/llama_tokenize_min" "$ours" "$CORPUS" >"$out" 2>"$WORK/$name.tokenize-min.log" \
        || { fail "$name: llama_tokenize_min failed"; tail -5 "$WORK/$name.tokenize-min.log"; continue; }
    compare_ids "$name" "libllama llama_tokenize" "$out" "$strict"
    if "$TOOLS/llama_tokenize_min" "$ref" "$CORPUS" 2>/dev/null | cmp -s - "$out"; then
        pass "$name: libllama gives the same ids on convert_hf_to_gguf's GGUF as on Temper's"
    else
        fail "$name: libllama ids differ between convert_hf_to_gguf's GGUF and Temper's"
    fi
    if [[ $FULL == 1 ]]; then
        : >"$out.full"
        while IFS= read -r line || [[ -n $line ]]; do
            ids=$("$TOOLS/llama-tokenize" -m "$ours" -p "$line" --ids --no-escape --log-disable 2>/dev/null | tail -1) \
                || ids="(llama-tokenize failed)"
            printf '%s\n' "$ids" >>"$out.full"
        done <"$CORPUS"
        compare_ids "$name" "llama-tokenize" "$out.full" "$strict"
    fi
done

[[ $failures == 0 ]] || { echo "check_llama_cpp: $failures failure(s)"; exit 1; }
