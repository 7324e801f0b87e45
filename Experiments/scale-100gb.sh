#!/usr/bin/env bash
# Peak RSS and wall time of inspect, validate, hash, sign and verify on a 100 GB sparse
# sharded safetensors folder (20 shards × 5 GiB of F32, holes on disk: ~1 MB used).
#   swift build -c release --product temper && bash Experiments/scale-100gb.sh [DIR] [GB]
set -euo pipefail
T=${TEMPER:-.build/release/temper}
DIR=${1:-out/scale-100gb}
GB=${2:-100}
python3 - "$DIR" "$GB" <<'PY'
import json, os, struct, sys
d, gb = sys.argv[1], int(sys.argv[2])
os.makedirs(d, exist_ok=True)
shards, per = 20, gb // 20  # GiB per shard, 1 GiB tensors
weight_map = {}
for s in range(shards):
    name = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
    header, off = {"__metadata__": {"format": "pt"}}, 0
    for t in range(per):
        key = f"model.layers.{s}.part{t}.weight"
        header[key] = {"dtype": "F32", "shape": [16384, 16384], "data_offsets": [off, off + (1 << 30)]}
        off += 1 << 30
        weight_map[key] = name
    blob = json.dumps(header, separators=(",", ":")).encode()
    blob += b" " * (-len(blob) % 8)
    with open(os.path.join(d, name), "wb") as f:
        f.write(struct.pack("<Q", len(blob)) + blob)
        f.truncate(8 + len(blob) + off)
with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
    json.dump({"metadata": {"total_size": shards * per << 30}, "weight_map": weight_map}, f)
PY
du -sh --apparent-size "$DIR"; du -sh "$DIR"
"$T" keygen --out "$DIR.key.pem" --force >/dev/null
measure() {  # NAME COMMAND…
    local name=$1; shift
    /usr/bin/time -f "%e %M" -o "$DIR.time" "$@" >/dev/null 2>"$DIR.err" || { echo "$name failed: $(tail -2 "$DIR.err")"; return; }
    read -r wall rss < "$DIR.time"
    printf '| %s | %s s | %s MB |\n' "$name" "$wall" "$((rss / 1024))"
}
echo "| command | wall | peak RSS |"; echo "|---|---|---|"
measure inspect "$T" inspect "$DIR"
measure validate "$T" validate "$DIR"
measure hash "$T" hash "$DIR" --out "$DIR.manifest.json"
measure sign "$T" sign "$DIR" --key "$DIR.key.pem"
measure verify "$T" verify "$DIR" --key "$DIR.key.pub.pem"
# Writes the quantized file for real (≈ 27 GB for 100 GB of F32): set SKIP_CONVERT=1 to skip.
[[ -n ${SKIP_CONVERT:-} ]] || { measure "convert --dtype q8_0" "$T" convert "$DIR" "$DIR.q8_0.gguf" --dtype q8_0 --force; rm -f "$DIR.q8_0.gguf"; }
