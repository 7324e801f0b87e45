#!/usr/bin/env bash
# Regenerates Fixtures/quant/tiny-llama.llama-quantize.json: the tiny Llama GGUF of
# tiny-llama-spec.json (make_tiny_llama_gguf.py, gguf-py from the llama.cpp tree) quantized by
# llama-quantize (Fixtures/llama_cpp_tools.sh) into every file type Temper writes, as digests.
#
#   bash Fixtures/quant/make_llama_quantize_expectations.sh [PYTHON]   (PYTHON needs numpy, pyyaml)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PY=${1:-python3}
BIN=$(bash "$HERE/../llama_cpp_tools.sh")
SRC=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$(dirname "$BIN")/CMakeCache.txt")
export PYTHONPATH=$SRC/gguf-py
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
"$PY" "$HERE/make_tiny_llama_gguf.py" "$HERE/tiny-llama-spec.json" "$WORK/f32.gguf"
args=()
for t in $(cat "$HERE/ftypes.txt"); do
    "$BIN/llama-quantize" "$WORK/f32.gguf" "$WORK/$t.gguf" "$t" 1 >"$WORK/$t.log" 2>&1 || { cat "$WORK/$t.log"; exit 1; }
    args+=("$t=$WORK/$t.gguf")
done
"$PY" "$HERE/llama_quantize_digests.py" "$HERE/tiny-llama.llama-quantize.json" "${args[@]}"
