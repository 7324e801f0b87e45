#!/usr/bin/env bash
# Regenerates Experiments/cte.md: counterfactual trajectory explanations (MCTO, DaC, SC, random)
# of rewards learned on 5 seeded gridworlds, judged by the proxy-human evaluation, a leave-one-out
# over the criterion weights, and explanations per second on 10×10 and 30×30 worlds.
#   bash Experiments/cte.sh [TEMPER_BINARY] [OUTDIR]      (needs python3 for the tables only)
set -euo pipefail
BIN=${1:-.build/release/temper}
OUT=${2:-out/cte}
HERE=$(cd "$(dirname "$0")" && pwd)
SEEDS=${SEEDS:-"1 2 3 4 5"}
COUNT=${COUNT:-100}
LOO_COUNT=${LOO_COUNT:-60}
mkdir -p "$OUT"
for s in $SEEDS; do
  d="$OUT/seed$s"; mkdir -p "$d"
  "$BIN" fixture gridworld --seed "$s" --out "$d/grid" --force --json > "$d/fixture.json"
  files=()
  for m in mcto dac sc random; do
    "$BIN" explain-reward "$d/grid/reward" --env "$d/grid/env.json" --method "$m" --count "$COUNT" --seed "$s" \
        --report "$d/cte-$m" > /dev/null
    files+=("$d/cte-$m.json")
  done
  "$BIN" audit reward-explanations --reward "$d/grid/reward" --env "$d/grid/env.json" --explanations "${files[@]}" \
      --proxy-seeds 3 --seed "$s" --report "$d/proxy" > /dev/null
  "$BIN" audit reward-explanations --reward "$d/grid/reward" --env "$d/grid/env.json" --explanations "${files[@]}" \
      --proxy-seeds 3 --seed "$s" --train-limit 10 --report "$d/proxy-few" > /dev/null
  # Leave one criterion out (weight 0, the others 1), DaC generator, audited together.
  loo=("$d/cte-dac.json")
  for c in validity proximity diversity state_importance realisticness sparsity; do
    "$BIN" explain-reward "$d/grid/reward" --env "$d/grid/env.json" --method dac --count "$LOO_COUNT" --seed "$s" \
        --weights "$c=0" --report "$d/loo-$c" > /dev/null
    loo+=("$d/loo-$c.json")
  done
  "$BIN" audit reward-explanations --reward "$d/grid/reward" --env "$d/grid/env.json" --explanations "${loo[@]}" \
      --proxy-seeds 3 --seed "$s" --report "$d/loo-proxy" > /dev/null
  echo "seed $s done" >&2
done
# Speed: explanations per second on 10×10 (3 people) and 30×30 (4 people) worlds.
for side in 10 30; do
  people=$([ "$side" = 10 ] && echo 3 || echo 4)
  d="$OUT/speed$side"; mkdir -p "$d"
  "$BIN" fixture gridworld --seed 7 --side "$side" --people "$people" --out "$d/grid" --force > /dev/null
  for m in mcto dac sc random; do
    "$BIN" explain-reward "$d/grid/reward" --env "$d/grid/env.json" --method "$m" --count 10 --seed 7 --report "$d/cte-$m" > /dev/null
  done
  # A cheaper MCTO: search from the 10 most important states instead of 40.
  "$BIN" explain-reward "$d/grid/reward" --env "$d/grid/env.json" --method mcto --mcto-starting-points 10 --count 10 --seed 7 \
      --report "$d/cte-mcto10" > /dev/null
done
python3 "$HERE/cte_table.py" "$OUT" "$SEEDS" > "$HERE/cte.md"
echo "wrote $HERE/cte.md" >&2
