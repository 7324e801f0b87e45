#!/usr/bin/env bash
# Live check (make interop): `temper convert MODEL.gguf out.gguf --split-max-*` against llama.cpp's
# own `llama-gguf-split --split` on the same GGUF, for several limits; every shard must be
# byte-identical (cmp), and the shard names the same.
#
#   bash Fixtures/gguf_split/check_gguf_split_live.sh TEMPER_BIN LLAMA_GGUF_SPLIT_BIN MODEL.gguf WORK
#
# Exit 0 when all match, 1 otherwise (the differences on stdout).
set -euo pipefail
BIN=$1 SPLIT=$2 MODEL=$3 WORK=$4
mkdir -p "$WORK"
bad=0
for args in "--split-max-tensors 1" "--split-max-tensors 3" "--split-max-tensors 1000" "--split-max-size 1M"; do
    tag=${args// /_}
    ref=$WORK/ref$tag ours=$WORK/temper$tag
    rm -rf "$ref" "$ours"; mkdir -p "$ref" "$ours"
    # shellcheck disable=SC2086  # two words on purpose
    "$SPLIT" --split $args "$MODEL" "$ref/out" >"$WORK/split.log" 2>&1 || { echo "llama-gguf-split $args failed"; tail -3 "$WORK/split.log"; bad=1; continue; }
    # shellcheck disable=SC2086
    "$BIN" convert "$MODEL" "$ours/out.gguf" $args >/dev/null 2>"$WORK/temper.log" || { echo "temper convert $args failed"; tail -3 "$WORK/temper.log"; bad=1; continue; }
    if [[ "$(cd "$ref" && ls)" != "$(cd "$ours" && ls)" ]]; then
        echo "$args: shard names differ: llama-gguf-split $(cd "$ref" && ls | tr '\n' ' ') temper $(cd "$ours" && ls | tr '\n' ' ')"; bad=1; continue
    fi
    for f in "$ref"/*.gguf; do
        cmp -s "$f" "$ours/$(basename "$f")" || { echo "$args: $(basename "$f") differs"; bad=1; }
    done
    echo "$args: $(ls "$ref" | wc -l) shard(s) identical"
done
exit $bad
