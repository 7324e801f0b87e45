"""Inference vs llama.cpp on the same GGUF (`make bench`, TEMPER_BENCH_ONLY=infer).

    python infer_peer.py run --temper BIN --llama-bench BIN --gguf FILE [--prompt 128] [--gen 64]
                             [--threads 2] [--repeats 3] [--seed 0]

`rows(raw, row)` turns the RAW/infer_*.json files into report.py's table rows.

`run` alternates, `--repeats` times, one `llama-bench -m FILE -p P -n N -t T -r 1 -o json`
(its own warm-up run included) and one `temper run FILE --prompt-ids (P random ids) --max-tokens
N+1 --ignore-eos --json`: Temper's prefill is the pass over the P prompt tokens (which yields
the first new token), its decode the N single-token passes after it, as llama-bench's pp and
tg tests count them (tg starts from an empty cache, Temper's decode after the P prompt tokens).
Every process runs under /usr/bin/time -v for its peak RSS. Prints one JSON line: medians of
tokens/s per side and phase, weight bytes streamed per decoded token (every tensor of the
file, except token_embd when an output.weight exists: the tied embedding is the lm_head) and
the achieved GB/s, peak RSS, Temper's load time, and the 1-minute load average around it all.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import time

from common import median
from timecmd import run_once


def weight_bytes(path):
    """Bytes of weights one decoded token reads (see the module docstring)."""
    from gguf import GGUFReader
    tensors = {t.name: int(t.n_bytes) for t in GGUFReader(path).tensors}
    total = sum(tensors.values())
    if "output.weight" in tensors:
        total -= tensors.get("token_embd.weight", 0)
    return total


def llama_bench(args):
    command = [args.llama_bench, "-m", args.gguf, "-p", str(args.prompt), "-n", str(args.gen), "-t", str(args.threads),
               "-r", "1", "-o", "json"]
    seconds, rss, _cpu, out = run_once(command, True)
    records = json.loads(out)
    pp = next(r["avg_ts"] for r in records if r["n_prompt"] == args.prompt and r["n_gen"] == 0)
    tg = next(r["avg_ts"] for r in records if r["n_gen"] == args.gen and r["n_prompt"] == 0)
    return {"prefill_tps": pp, "decode_tps": tg, "peak_rss_mb": rss, "process_s": seconds}


def temper(args, ids):
    command = ["env", f"TEMPER_NUM_THREADS={args.threads}", args.temper, "run", args.gguf, "--prompt-ids", ",".join(map(str, ids)), "--max-tokens", str(args.gen + 1),
               "--ignore-eos", "--json"]
    seconds, rss, _cpu, out = run_once(command, True)
    t = json.loads(out)["timings"]
    if t["prefill_tokens"] != args.prompt or t["decode_tokens"] != args.gen:
        raise SystemExit(f"infer_peer: temper ran {t['prefill_tokens']} + {t['decode_tokens']} tokens, expected {args.prompt} + {args.gen}")
    return {"prefill_tps": t["prefill_tokens_per_second"], "decode_tps": t["decode_tokens_per_second"], "peak_rss_mb": rss,
            "process_s": seconds, "load_s": t["load_seconds"]}


def run(args):
    # Random prompt ids like llama-bench's, below the vocabulary size of any model in use (≥ 32 k).
    rng = random.Random(args.seed)
    ids = [rng.randrange(100, 32000) for _ in range(args.prompt)]
    load_start = os.getloadavg()[0]
    sides = {"temper": [], "llama": []}
    for _ in range(args.repeats):
        sides["llama"].append(llama_bench(args))
        sides["temper"].append(temper(args, ids))
    summary = {"gguf": args.gguf, "prompt": args.prompt, "gen": args.gen, "threads": args.threads, "repeats": args.repeats,
               "weight_bytes_per_token": weight_bytes(args.gguf), "samples": sides,
               "loadavg_1min": [round(load_start, 2), round(os.getloadavg()[0], 2)],
               "finished": time.strftime("%Y-%m-%d %H:%M:%S")}
    for side, runs in sides.items():
        summary[side] = {key: median([r[key] for r in runs]) for key in runs[0]}
        summary[side]["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
        summary[side]["decode_gb_per_s"] = summary[side]["decode_tps"] * summary["weight_bytes_per_token"] / 1e9
    print(json.dumps(summary, sort_keys=True), flush=True)


def rows(raw, row):
    """Table rows (report.py's `row`) of every RAW/infer_*.json: prefill and decode per file type."""
    out = []
    for path in sorted(raw.glob("infer_*.json")):
        r = json.loads(path.read_text())
        label, t, p = path.stem.removeprefix("infer_"), r["temper"], r["llama"]
        run_t = {"peak_rss_mb": t["peak_rss_mb"], "loadavg_1min": r["loadavg_1min"], "finished": r["finished"]}
        run_p = {"peak_rss_mb": p["peak_rss_mb"], "loadavg_1min": r["loadavg_1min"]}
        peer = f"llama-bench -t {r['threads']}"
        out.append(row(f"7. prefill {r['prompt']} tokens, {label} GGUF (tokens/s)", run_t, run_p, peer, None, None,
                       temper_figure=f"{t['prefill_tps']:.1f} tok/s (load {t['load_s']:.2f} s)",
                       peer_figure=f"{p['prefill_tps']:.1f} tok/s", ratio=t["prefill_tps"] / p["prefill_tps"], goal=1.0))
        out.append(row(f"7. decode {r['gen']} tokens, {label} GGUF (tokens/s, weights streamed)", run_t, run_p, peer, None, None,
                       temper_figure=f"{t['decode_tps']:.1f} tok/s ({t['decode_gb_per_s']:.1f} GB/s)",
                       peer_figure=f"{p['decode_tps']:.1f} tok/s ({p['decode_gb_per_s']:.1f} GB/s)",
                       ratio=t["decode_tps"] / p["decode_tps"], goal=1.0,
                       extra={"weight_bytes_per_token": r["weight_bytes_per_token"]}))
    return out


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="mode", required=True)
    r = sub.add_parser("run")
    r.add_argument("--temper", required=True)
    r.add_argument("--llama-bench", required=True)
    r.add_argument("--gguf", required=True)
    r.add_argument("--prompt", type=int, default=128)
    r.add_argument("--gen", type=int, default=64)
    r.add_argument("--threads", type=int, default=2)
    r.add_argument("--repeats", type=int, default=3)
    r.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    run(args)


if __name__ == "__main__":
    sys.exit(main())
