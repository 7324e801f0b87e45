#!/usr/bin/env python3
"""llama.cpp's tokenizer conformance fixtures against Temper's tokenizer.json rebuild.

    python Fixtures/text/check_gguf_vocab.py TEMPER_BINARY LLAMA_CPP_DIR

For each vocabulary below, LLAMA_CPP_DIR/models/ggml-vocab-NAME.gguf (vocabulary-only GGUFs)
with its .inp (texts separated by `__ggml_vocab_test__` lines) and .out (llama.cpp's ids,
no special tokens added, specials not parsed — test-tokenizer-0): the ids must be equal
- from `temper tokenize VOCAB.gguf --no-special` where Temper's own tokenizer runs that
  pre-tokenizer (ByteLevel / Digits: gpt-2, starcoder, refact = smollm's regex; and the
  SentencePiece llama-spm), and
- from Hugging Face `tokenizers` loading the tokenizer.json `temper convert VOCAB.gguf OUT/`
  writes (all of them, including the regex Split pre-tokenizers of llama-bpe and qwen2).
Needs the `tokenizers` package. Exits 1 on any difference.
"""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from tokenizers import Tokenizer

TEMPER_TOKENIZES = ["gpt-2", "starcoder", "refact", "llama-spm"]
HF_ONLY = ["llama-bpe", "qwen2"]


def cases(models, name):
    inp = (models / f"ggml-vocab-{name}.gguf.inp").read_text(encoding="utf-8")
    out = (models / f"ggml-vocab-{name}.gguf.out").read_text(encoding="utf-8")
    texts = inp.split("\n__ggml_vocab_test__\n")
    if texts and texts[-1].endswith("\n__ggml_vocab_test__"):
        texts[-1] = texts[-1][: -len("\n__ggml_vocab_test__")]
    ids = [[int(t) for t in line.split()] for line in out.split("\n")[: len(texts)]]
    return list(zip(texts, ids))


def main():
    binary, models = sys.argv[1], Path(sys.argv[2]) / "models"
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in TEMPER_TOKENIZES + HF_ONLY:
            vocab = models / f"ggml-vocab-{name}.gguf"
            pairs = cases(models, name)
            out = Path(tmp) / name
            subprocess.run([binary, "convert", str(vocab), str(out)], check=True, capture_output=True)
            hf = Tokenizer.from_file(str(out / "tokenizer.json"))
            temper = None
            if name in TEMPER_TOKENIZES:
                args = sum((["--text", t] for t, _ in pairs if t), [])
                result = subprocess.run([binary, "tokenize", str(vocab), "--no-special", "--json", *args],
                                        check=True, capture_output=True, text=True)
                temper = iter(json.loads(result.stdout)["encodings"])
            bad = 0
            for text, want in pairs:
                got_hf = hf.encode(text, add_special_tokens=False).ids
                got = [("tokenizers", got_hf)]
                if temper is not None and text:
                    got.append(("temper", next(temper)["ids"]))
                for who, ids in got:
                    if ids != want:
                        bad += 1
                        print(f"FAIL - {name} ({who}) {text[:50]!r}\n  llama.cpp {want}\n  got       {ids}")
            failures += bad
            print(f"{'ok  ' if bad == 0 else 'FAIL'} - ggml-vocab-{name}: {len(pairs)} texts"
                  + (" (temper tokenize + tokenizers)" if temper is not None else " (tokenizers only)"))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
