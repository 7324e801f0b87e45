#!/usr/bin/env python3
"""GGUF → Hugging Face folder against transformers' own GGUF loading.

    python Fixtures/formats/check_gguf_hf_transformers.py TEMPER_BINARY MODEL.gguf [--write-expectation FILE]

Needs torch, transformers (≥ 5), gguf, numpy. Steps:
1. `temper convert MODEL.gguf OUT/` (f32 Hugging Face folder);
2. logits of transformers `from_pretrained(dir, gguf_file=…)` vs `temper logits MODEL.gguf`
   (the .gguf run directly), vs `temper logits OUT/`, and vs transformers loading OUT/;
3. token ids of transformers' GGUF tokenizer vs `temper tokenize MODEL.gguf` and vs
   transformers loading OUT/'s tokenizer, on a corpus with contractions, digits, unicode,
   whitespace runs and special tokens.
Prints the largest |Δlogit| of each pair and exits 1 when one exceeds the tolerance or any
token id differs. --write-expectation records the measured numbers (small JSON) for the
fixture README; the check itself always recomputes them.
"""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

CORPUS = [
    "Hello, world! It's a test: don't, we'll, they're, I'd, you've.",
    "Numbers 0 7 42 2024 3.14159 1,000,000 and 12345678901234567890",
    "Unicode: café naïve Äpfel 日本語のテキスト 🦙 emoji 👍🏽 — “quotes”",
    "   leading spaces, tabs\tand\nnewlines\n\n  trailing   ",
    "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n",
    "<|endoftext|>special tokens glued<|im_end|>together",
]
# transformers' GGUF tokenizer ignores `tokenizer.ggml.pre = smollm` (plain GPT-2 ByteLevel),
# while llama.cpp isolates every \p{N} character first — which the original SmolLM2
# tokenizer.json (Digits individual_digits) and Temper's rebuild do too. ASCII digits have no
# merges in this vocabulary, so only non-ASCII numerals (½, ², ³) show it. These lines are
# printed, not checked; llama.cpp's ggml-vocab-starcoder fixture (same regex, "4 ½ months")
# is the check (Fixtures/text/check_gguf_vocab.py).
DIVERGENT = ["Fractions ½ ¾ and powers x² y³"]
IDS = [1, 9690, 198, 2683, 359, 253, 5356, 5646, 11173, 3365, 2, 198, 1, 4093, 198, 19556, 28, 940, 314, 1350, 47, 2]
LOGIT_TOLERANCE = 1e-3


def temper_json(binary, *args):
    out = subprocess.run([binary, *args, "--json"], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def hf_logits(model, ids):
    with torch.no_grad():
        return model(torch.tensor([ids])).logits[0].float().numpy()


def main():
    binary, gguf = sys.argv[1], Path(sys.argv[2]).resolve()
    expectation = sys.argv[sys.argv.index("--write-expectation") + 1] if "--write-expectation" in sys.argv else None
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "hf"
        subprocess.run([binary, "convert", str(gguf), str(out)], check=True, capture_output=True)
        ref = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32).eval()
        mine = AutoModelForCausalLM.from_pretrained(out, dtype=torch.float32).eval()
        ref_logits = hf_logits(ref, IDS)
        deltas = {
            "temper_logits_gguf": np.array(temper_json(binary, "logits", str(gguf), "--ids", ",".join(map(str, IDS)))["logits"]),
            "temper_logits_folder": np.array(temper_json(binary, "logits", str(out), "--ids", ",".join(map(str, IDS)))["logits"]),
            "transformers_folder": hf_logits(mine, IDS),
        }
        measured = {}
        for name, logits in deltas.items():
            d = float(np.abs(logits - ref_logits).max())
            measured[name] = d
            ok = d <= LOGIT_TOLERANCE
            failures += not ok
            print(f"{'ok  ' if ok else 'FAIL'} - max |Δlogit| transformers(gguf_file) vs {name}: {d:.3g}")

        ref_tok = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        my_tok = AutoTokenizer.from_pretrained(out)
        temper = temper_json(binary, "tokenize", str(gguf), "--no-special", *sum((["--text", t] for t in CORPUS), []))
        for text, enc in zip(CORPUS, temper["encodings"]):
            want = ref_tok(text, add_special_tokens=False)["input_ids"]
            for name, got in [("temper tokenize", enc["ids"]), ("transformers(OUT)", my_tok(text, add_special_tokens=False)["input_ids"])]:
                ok = got == want
                failures += not ok
                print(f"{'ok  ' if ok else 'FAIL'} - ids {name} = transformers(gguf_file) on {text[:40]!r}" + ("" if ok else f"\n  want {want}\n  got  {got}"))
        for text in DIVERGENT:
            want = ref_tok(text, add_special_tokens=False)["input_ids"]
            mine_ids = my_tok(text, add_special_tokens=False)["input_ids"]
            print(f"info - transformers(gguf_file) ignores tokenizer.ggml.pre on {text!r}: {want} vs Temper's folder {mine_ids}")
        if expectation:
            Path(expectation).write_text(json.dumps({"gguf": gguf.name, "ids": IDS, "max_abs_delta_logit": measured,
                                                     "tolerance": LOGIT_TOLERANCE, "corpus": CORPUS,
                                                     "token_ids": [ref_tok(t, add_special_tokens=False)["input_ids"] for t in CORPUS]},
                                                    indent=1, ensure_ascii=False) + "\n")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
