"""python -m temper_engine JOB --out DIR [--bf16] [--activation-checkpointing] [--no-shard] (under torchrun)."""

import argparse
import sys

from .train import run


def main(argv=None):
    p = argparse.ArgumentParser(prog="temper_engine", description=__doc__)
    p.add_argument("job", help="the job folder (temper job export)")
    p.add_argument("--out", required=True, help="where the weights, losses.jsonl and run.json go")
    p.add_argument("--bf16", action="store_true", help="bf16 parameters in compute (FSDP2 mixed precision; fp32 reduction)")
    p.add_argument("--activation-checkpointing", action="store_true", help="recompute each block's activations in backward")
    p.add_argument("--no-shard", action="store_true", help="keep full parameters on every rank (no fully_shard)")
    args = p.parse_args(argv)
    return run(args.job, args.out, bf16=args.bf16, checkpointing=args.activation_checkpointing, shard=not args.no_shard)


if __name__ == "__main__":
    sys.exit(main())
