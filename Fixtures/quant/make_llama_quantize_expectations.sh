#!/usr/bin/env bash
# Regenerates Fixtures/quant/tiny-llama.llama-quantize.json: the tiny Llama GGUF of
# tiny-llama-spec.json (make_tiny_llama_gguf.py, gguf-py from the llama.cpp tree) quantized
# into every file type of ftypes.txt (name, llama_ftype number) by llama_model_quantize with
# default parameters (llama_quantize_min.c = llama-quantize IN OUT TYPE 1 without its argument
# parser; built by Fixtures/llama_cpp_tools.sh), as digests.
#
#   bash Fixtures/quant/make_llama_quantize_expectations.sh [PYTHON]   (PYTHON needs numpy, pyyaml)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PY=${1:-python3}
BIN=$(bash "$HERE/../llama_cpp_tools.sh" llama_quantize_min)
SRC=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$(dirname "$BIN")/CMakeCache.txt")
export PYTHONPATH=$SRC/gguf-py
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
"$PY" "$HERE/make_tiny_llama_gguf.py" "$HERE/tiny-llama-spec.json" "$WORK/f32.gguf"
args=()
while read -r t num; do
    "$BIN/llama_quantize_min" "$WORK/f32.gguf" "$WORK/$t.gguf" "$num" 1 >"$WORK/$t.log" 2>&1 || { cat "$WORK/$t.log"; exit 1; }
    args+=("$t=$WORK/$t.gguf")
done < "$HERE/ftypes.txt"
"$PY" "$HERE/llama_quantize_digests.py" "$HERE/tiny-llama.llama-quantize.json" "${args[@]}"
