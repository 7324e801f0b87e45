#!/usr/bin/env bash
# Train-step benchmark: TemperTensor vs PyTorch (2 threads) on the same Llama-style stacks,
# alternating the two programs for ROUNDS rounds (the machine may be shared) and reporting
# each side's fastest step, the ratio torch/temper (> 1: Temper is faster), the sgemm
# ceiling and peak memory.
# Usage: Benchmarks/train_step/run.sh [a|b|all] [python]   (ROUNDS=3 by default)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
which="${1:-all}"
python="${2:-${PYTHON:-$HOME/.venvs/temper-fixtures/bin/python}}"
rounds="${ROUNDS:-3}"
cd "$root"
swift build -c release --target TemperTensor >&2
out=".build/release/train_step_bench"
swiftc -O -wmo -module-name TrainStepBench -I .build/release/Modules -I Sources/CBLAS \
  Benchmarks/train_step/main.swift Benchmarks/train_step/TinyLlamaStack.swift \
  .build/release/TemperTensor.build/*.o -lopenblas -o "$out" >&2
have_torch=0
"$python" -c "import torch, transformers" 2>/dev/null && have_torch=1 || echo "no torch/transformers for $python: Temper only" >&2
log="$(mktemp)"
for config in a b; do
  [ "$which" = all ] || [ "$which" = "$config" ] || continue
  for _ in $(seq "$rounds"); do
    /usr/bin/time -f "temper $config peak_rss_kb=%M" "$out" "$config" 2>&1 | tee -a "$log"
    if [ "$have_torch" = 1 ]; then
      /usr/bin/time -f "torch $config peak_rss_kb=%M" "$python" Benchmarks/train_step/train_step_torch.py "$config" 2>&1 | tee -a "$log"
    fi
  done
done
echo "== summary (fastest step over all rounds) =="
awk '
  /sgemm_ceiling_gflops/ { split($1, kv, "="); if (kv[2] > ceiling) ceiling = kv[2] }
  /step_ms_min=/ { for (i = 1; i <= NF; i++) if ($i ~ /^step_ms_min=/) { split($i, kv, "="); key = $1 " " $2; if (!(key in best) || kv[2] < best[key]) best[key] = kv[2] } }
  /peak_rss_kb=/ { for (i = 1; i <= NF; i++) if ($i ~ /^peak_rss_kb=/) { split($i, kv, "="); key = $1 " " $2; if (kv[2] > rss[key]) rss[key] = kv[2] } }
  END {
    printf "sgemm ceiling (OpenBLAS, 2 threads): %.1f GFLOP/s\n", ceiling
    for (c = 0; c < 2; c++) {
      name = c == 0 ? "a" : "b"
      if (!(("temper " name) in best)) continue
      printf "config %s: temper %.1f ms (peak %d MB)", name, best["temper " name], rss["temper " name] / 1024
      if (("torch " name) in best) printf ", torch %.1f ms (peak %d MB), ratio torch/temper %.2f", best["torch " name], rss["torch " name] / 1024, best["torch " name] / best["temper " name]
      printf "\n"
    }
  }' "$log"
rm -f "$log"
