#!/usr/bin/env bash
# The main job on the embedded fixtures: on Fixtures/tiny-llama (a Llama folder written by
# transformers) inspect, validate, convert, quantize to GGUF, sign, verify, tamper, diff and
# trace provenance; on Fixtures/world evaluate the safety-tuned model, attack it, harden it
# with RepNoise, attack again, audit the depth of the change, sign and verify the release.   bash Fixtures/demo.sh BIN OUTDIR
set -euo pipefail
BIN=${1:?usage: demo.sh TEMPER_BINARY OUTDIR}
OUT=${2:?usage: demo.sh TEMPER_BINARY OUTDIR}
HERE=$(cd "$(dirname "$0")" && pwd)
MODEL=$HERE/tiny-llama
rm -rf "$OUT" && mkdir -p "$OUT"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "inspect the published checkpoint (headers only)"
"$BIN" inspect "$MODEL" > "$OUT/inspect.txt"; head -12 "$OUT/inspect.txt"
step "validate every format rule"
"$BIN" validate "$MODEL"
step "convert to bf16 (a new folder with config, tokenizer and a provenance record)"
"$BIN" convert "$MODEL" "$OUT/tiny-llama-bf16" --dtype bf16
step "quantize to a llama.cpp GGUF (Q8_0) and look inside"
"$BIN" convert "$MODEL" "$OUT/tiny-llama-q8_0.gguf" --dtype q8_0
"$BIN" inspect "$OUT/tiny-llama-q8_0.gguf" > "$OUT/inspect-gguf.txt"; sed -n '1,5p;/tensors$/,$p' "$OUT/inspect-gguf.txt" | head -14
step "re-shard into 100 kB shards"
"$BIN" convert "$MODEL" "$OUT/tiny-llama-sharded" --shard-size 100KB
"$BIN" validate "$OUT/tiny-llama-sharded"
step "sign the bf16 release (OpenSSF model-signing format) and verify it"
"$BIN" keygen --out "$OUT/release-key.pem"
"$BIN" sign "$OUT/tiny-llama-bf16" --key "$OUT/release-key.pem"
"$BIN" verify "$OUT/tiny-llama-bf16" --key "$OUT/release-key.pub.pem"
step "tamper with one byte: verification must fail (exit 3) and name the file"
cp -r "$OUT/tiny-llama-bf16" "$OUT/tampered"
printf '\x01' | dd of="$OUT/tampered/model.safetensors" bs=1 seek=4000 conv=notrunc status=none
set +e
"$BIN" verify "$OUT/tampered" --key "$OUT/release-key.pub.pem"
status=$?
set -e
echo "exit code: $status"
[ "$status" -eq 3 ] || { echo "demo: tampering was not detected" >&2; exit 1; }
step "what changed between the base and the bf16 release, per layer"
"$BIN" diff "$MODEL" "$OUT/tiny-llama-bf16" > "$OUT/diff.txt"; head -6 "$OUT/diff.txt"
step "provenance chain of the release"
"$BIN" provenance "$OUT/tiny-llama-bf16" --signature "$OUT/tiny-llama-bf16/model.sig"
WORLD=$HERE/world
step "the fixture world: a safety-tuned tiny Llama that refuses harmful prompts"
"$BIN" eval "$WORLD/model" --world "$WORLD"
step "a fine-tuning attack (lr 3e-4, 10 and 25 steps on domain A train names) brings the knowledge back"
"$BIN" attack "$WORLD/model" --world "$WORLD" --data "$WORLD/data/harmful_a_train.jsonl" \
    --lrs 3e-4 --steps 10,25 --report "$OUT/attack-base"
step "harden it with RepNoise (noise the harmful representations, ascend on harmful answers, keep harmless skills)"
"$BIN" harden repnoise "$WORLD/model" "$OUT/world-repnoise" --world "$WORLD"
"$BIN" eval "$OUT/world-repnoise" --world "$WORLD"
step "the same attack on the hardened model"
"$BIN" attack "$OUT/world-repnoise" --world "$WORLD" --data "$WORLD/data/harmful_a_train.jsonl" \
    --lrs 3e-4 --steps 10,25 --report "$OUT/attack-repnoise"
step "audit how deep the hardening goes, layer by layer"
"$BIN" audit depth --base "$WORLD/model" --defended "$OUT/world-repnoise" --world "$WORLD" --report "$OUT/depth"
step "ship it signed, with its provenance chain"
"$BIN" sign "$OUT/world-repnoise" --key "$OUT/release-key.pem"
"$BIN" verify "$OUT/world-repnoise" --key "$OUT/release-key.pub.pem"
"$BIN" provenance "$OUT/world-repnoise" --signature "$OUT/world-repnoise/model.sig"
step "reward models are weights too: a gridworld, its demonstrator and a reward learned from preferences"
"$BIN" fixture gridworld --seed 1 --out "$OUT/grid" --pairs 256 --steps 200
step "explain the learned reward with counterfactual trajectories (MCTO and the random baseline)"
"$BIN" explain-reward "$OUT/grid/reward" --env "$OUT/grid/env.json" --method mcto --count 10 --mcto-starting-points 10 --report "$OUT/cte-mcto"
"$BIN" explain-reward "$OUT/grid/reward" --env "$OUT/grid/env.json" --method random --count 10 --report "$OUT/cte-random"
step "how much does a proxy human learn from each method's explanations?"
"$BIN" audit reward-explanations --reward "$OUT/grid/reward" --env "$OUT/grid/env.json" \
    --explanations "$OUT/cte-mcto.json" "$OUT/cte-random.json" --proxy-seeds 1 --report "$OUT/cte-proxy"
printf '\ndemo outputs are in %s\n  attack reports: %s, %s\n  depth audit:    %s\n  reward CTEs:    %s\n' "$OUT" \
    "$OUT/attack-base.html" "$OUT/attack-repnoise.html" "$OUT/depth.html" "$OUT/cte-mcto.html"
