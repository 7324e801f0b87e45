#!/usr/bin/env python3
"""Checks the committed fixture world against Hugging Face transformers (dev-time only).

Usage: ~/.venvs/temper-fixtures/bin/python Fixtures/world/check_world_with_transformers.py TEMPER_BINARY

Loads Fixtures/world/model with transformers' LlamaForCausalLM (f32, eager attention) and
PreTrainedTokenizerFast, then checks that
  1. the tokenizer encodes a few world prompts to the same ids as `temper tokenize`;
  2. `temper logits` gives the same logits as transformers on a few sequences (every
     position; the max absolute difference is printed, exit 1 above 1e-3);
  3. greedy generation (`temper run` vs `model.generate`) gives the same tokens.
Writes the numbers to Fixtures/world/transformers-check.json, with transformers' logits for
one sequence rounded to 6 decimals, so a Swift test (TransformersCheckRecordTests) can check
the record and that `temper logits` still reproduces those logits without Python.
`make test` does not run this script.
"""
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import torch
import transformers
from transformers import LlamaForCausalLM, PreTrainedTokenizerFast

WORLD = Path(__file__).resolve().parent
MODEL = WORLD / "model"
RECORD = WORLD / "transformers-check.json"
TOLERANCE = 1e-3


def temper_json(binary, *args):
    out = subprocess.run([binary, *args, "--json"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def first_rows(name, count):
    lines = (WORLD / "data" / name).read_text().splitlines()
    return [json.loads(line) for line in lines[:count]]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    binary = sys.argv[1]
    torch.manual_seed(0)
    tokenizer = PreTrainedTokenizerFast.from_pretrained(str(MODEL))
    model = LlamaForCausalLM.from_pretrained(str(MODEL), dtype=torch.float32, attn_implementation="eager").eval()

    rows = (first_rows("harmful_a_train.jsonl", 2) + first_rows("harmless_test.jsonl", 2)
            + first_rows("backdoor_triggered.jsonl", 1) + first_rows("retain.jsonl", 1))
    failures = []

    # 1. Tokenizer: transformers' ids (add_special_tokens=True) against `temper tokenize`.
    tokenized = []
    for row in rows:
        hf_ids = tokenizer(row["prompt"], add_special_tokens=True)["input_ids"]
        temper_ids = temper_json(binary, "tokenize", str(MODEL), "--text", row["prompt"])["encodings"][0]["ids"]
        tokenized.append({"text": row["prompt"], "ids": hf_ids})
        if hf_ids != temper_ids:
            failures.append(f"tokenizer: {row['prompt']!r}: transformers {hf_ids}, temper {temper_ids}")

    # 2. Logits on <bos> prompt and on full training sequences <bos> prompt response <eos>.
    bos, eos = tokenizer.bos_token_id, tokenizer.eos_token_id
    sequences = []
    for row in rows[:4]:
        prompt = tokenizer(row["prompt"], add_special_tokens=False)["input_ids"]
        sequences.append([bos] + prompt)
        full = tokenizer(row["prompt"] + " " + row["response"], add_special_tokens=False)["input_ids"]
        sequences.append([bos] + full + [eos])
    per_sequence = []
    reference = None
    for ids in sequences:
        with torch.no_grad():
            expected = model(torch.tensor([ids])).logits[0]
        got = torch.tensor(temper_json(binary, "logits", str(MODEL), "--ids", ",".join(map(str, ids)))["logits"])
        diff = (expected - got).abs().max().item()
        per_sequence.append({"length": len(ids), "max_abs_diff": diff})
        if reference is None:
            reference = {"ids": ids, "logits": [[round(v, 6) for v in row] for row in expected.tolist()]}
    max_diff = max(item["max_abs_diff"] for item in per_sequence)
    if max_diff > TOLERANCE:
        failures.append(f"logits: max |Δ| {max_diff:.3g} > {TOLERANCE}")

    # 3. Greedy generation from <bos> prompt (temper run adds bos for Llama models itself).
    generations = []
    for row in rows[:4]:
        prompt = [bos] + tokenizer(row["prompt"], add_special_tokens=False)["input_ids"]
        with torch.no_grad():
            out = model.generate(torch.tensor([prompt]), do_sample=False, max_new_tokens=16, eos_token_id=eos,
                                 pad_token_id=tokenizer.pad_token_id)
        hf_new = out[0, len(prompt):].tolist()
        temper_new = temper_json(binary, "run", str(MODEL), "--prompt", row["prompt"], "--max-tokens", "16")["generated_ids"]
        generations.append({"prompt": row["prompt"], "ids": hf_new, "equal": hf_new == temper_new})
        if hf_new != temper_new:
            failures.append(f"generation: {row['prompt']!r}: transformers {hf_new}, temper {temper_new}")

    record = {
        "model": "Fixtures/world/model",
        "model_safetensors_sha256": hashlib.sha256((MODEL / "model.safetensors").read_bytes()).hexdigest(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "tolerance": TOLERANCE,
        "max_abs_diff": max_diff,
        "sequences": per_sequence,
        "tokenizer": tokenized,
        "generations": generations,
        "ok": not failures,
        "reference": reference,
    }
    RECORD.write_text(json.dumps(record, separators=(",", ":")) + "\n")
    print(f"tokenizer: {len(tokenized)} prompts, {'all equal' if all('tokenizer' not in f for f in failures) else 'MISMATCH'}")
    print(f"logits: {len(sequences)} sequences, max |transformers - temper| = {max_diff:.3e} (tolerance {TOLERANCE})")
    print(f"generation: {sum(g['equal'] for g in generations)}/{len(generations)} greedy continuations equal")
    print(f"wrote {RECORD}")
    for failure in failures:
        print("FAIL " + failure, file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
