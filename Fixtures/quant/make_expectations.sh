#!/usr/bin/env bash
# Regenerates Fixtures/quant/: input.f32 (make_inputs.py) and, for each type Temper
# quantizes, expected/TYPE.bin = ggml's own bytes (ggml_quantize.c linked against the
# libggml-base that Fixtures/llama_cpp_tools.sh builds).
#
#   bash Fixtures/quant/make_expectations.sh [PYTHON]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PY=${1:-python3}
BIN=$(bash "$HERE/../llama_cpp_tools.sh" ggml_quantize)
TOOL=$BIN/ggml_quantize
"$PY" "$HERE/make_inputs.py" "$HERE/input.f32"
mkdir -p "$HERE/expected"
for t in q4_0 q4_1 q5_0 q5_1 q8_0 q2_K q3_K q4_K q5_K q6_K iq4_nl iq4_xs; do
    "$TOOL" "$t" 512 "$HERE/input.f32" "$HERE/expected/$t.bin"
done
ls -l "$HERE/expected"
