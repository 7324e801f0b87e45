#!/usr/bin/env bash
# Train-step benchmark: TemperTensor vs PyTorch (2 threads) on the same Llama-style stacks.
# Usage: Benchmarks/train_step/run.sh [a|b|all] [python]   (run from anywhere)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
which="${1:-all}"
python="${2:-${PYTHON:-$HOME/.venvs/temper-fixtures/bin/python}}"
cd "$root"
swift build -c release --target TemperTensor >&2
out=".build/release/train_step_bench"
swiftc -O -wmo -module-name TrainStepBench -I .build/release/Modules -I Sources/CBLAS \
  Benchmarks/train_step/main.swift Benchmarks/train_step/TinyLlamaStack.swift \
  .build/release/TemperTensor.build/*.o -lopenblas -o "$out" >&2
export OPENBLAS_NUM_THREADS=2
/usr/bin/time -f "temper peak_rss_kb=%M" "$out" "$which" 2>&1
if "$python" -c "import torch, transformers" 2>/dev/null; then
  /usr/bin/time -f "torch peak_rss_kb=%M" "$python" Benchmarks/train_step/train_step_torch.py "$which" 2>&1
else
  echo "torch/transformers not found for $python: skipping the PyTorch peer" >&2
fi
