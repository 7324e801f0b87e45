#!/usr/bin/env bash
# Runs a Temper job (Formats/job.md) with PyTorch's distributed launcher.
#
#   ./run.sh [--nproc N] [--out DIR] [--bf16] [--activation-checkpointing] [--no-shard] [LAUNCHER OPTIONS…]
#
# $PYTHON picks the interpreter (default python3); its environment needs requirements.txt.
# --nproc N is the number of processes on this node (torchrun --nproc-per-node). Every other
# option that is not the engine's is passed to the launcher unchanged, e.g. --nnodes 4
# --node-rank 0 --rdzv-backend c10d --rdzv-endpoint host:29500 --rdzv-id job42.
# The launcher is the job's engine (job.json): torchrun, or accelerate launch.
set -euo pipefail
JOB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PYTHON=${PYTHON:-python3}
NPROC=1
OUT=$JOB/output
ENGINE_ARGS=()
LAUNCH_ARGS=()
while [[ $# -gt 0 ]]; do
    case $1 in
        --nproc) NPROC=$2; shift 2 ;;
        --nproc=*) NPROC=${1#*=}; shift ;;
        --out) OUT=$2; shift 2 ;;
        --bf16|--activation-checkpointing|--no-shard) ENGINE_ARGS+=("$1"); shift ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) LAUNCH_ARGS+=("$1"); shift ;;
    esac
done
LAUNCHER=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["engine"])' "$JOB/job.json")
export PYTHONPATH="$JOB/engine${PYTHONPATH:+:$PYTHONPATH}"
case $LAUNCHER in
    torchrun)
        exec "$PYTHON" -m torch.distributed.run --nproc-per-node "$NPROC" ${LAUNCH_ARGS[@]+"${LAUNCH_ARGS[@]}"} \
            -m temper_engine "$JOB" --out "$OUT" ${ENGINE_ARGS[@]+"${ENGINE_ARGS[@]}"} ;;
    accelerate)
        exec "$PYTHON" -m accelerate.commands.launch --num_processes "$NPROC" ${LAUNCH_ARGS[@]+"${LAUNCH_ARGS[@]}"} \
            -m temper_engine "$JOB" --out "$OUT" ${ENGINE_ARGS[@]+"${ENGINE_ARGS[@]}"} ;;
    *) echo "run.sh: unknown engine '$LAUNCHER' in $JOB/job.json" >&2; exit 64 ;;
esac
